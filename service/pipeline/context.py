"""What one extraction run needs: settings, cache, an LLM client per event loop, a limiter.

Clients and semaphores belong to an event loop, and a process may drive the same
Extractor from several loops (the sync API keeps its own); so they are made per loop.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel

from claimstance.config import Settings
from claimstance.errors import ExtractionError
from claimstance.llm.cache import ResponseCache, cache_key
from claimstance.llm.recording import Recorder, replay_client_factory
from claimstance.local_model.server import shared_server
from claimstance.prompts import Prompt
from claimstance.schemas.models import Usage
from claimstance.text.chunking import chunk_ranges

if TYPE_CHECKING:  # openai and instructor take half a second to import: only when calling
    from claimstance.llm.client import LLMClient

Message = dict[str, str]
#: The key of a cached answer that a fallback rescued, holding the reason.
RESCUED = "__claimstance_rescued__"
#: Where a replayed embedded run "sends" its requests (only the URL path is matched).
REPLAY_BASE_URL = "http://replay.claimstance.invalid/v1"
#: The alternatives a one-token call asks for; part of the cache key.
TOP_ALTERNATIVES = 20
HttpClientFactory = Callable[[], httpx.AsyncClient]
#: Turns a failed answer into (usable JSON, why it is degraded or None), or None.
Fallback = Callable[[ExtractionError], "tuple[str, str | None] | None"]
T = TypeVar("T", bound=BaseModel)


@functools.lru_cache(maxsize=256)
def _schema(response_model: type[BaseModel]) -> dict[str, Any]:
    """Generating a JSON schema costs milliseconds per call; models are immutable classes."""
    return response_model.model_json_schema()


class RunContext:
    def __init__(
        self,
        settings: Settings,
        *,
        cache: ResponseCache | None = None,
        http_client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.settings = settings
        taping = settings.record_dir is not None or settings.replay_dir is not None
        if cache is None:  # a recording holds every request; a replay answers every one
            cache = ResponseCache(None) if taping else ResponseCache.for_settings(settings)
        self.cache = cache
        self.recorder = Recorder(settings.record_dir) if settings.record_dir else None
        if settings.replay_dir is not None:
            http_client_factory = replay_client_factory(settings.replay_dir)
        self._http_client_factory = http_client_factory
        self._clients: dict[int, LLMClient] = {}
        self._limiters: dict[int, asyncio.Semaphore] = {}

    @staticmethod
    def _loop_key() -> int:
        return id(asyncio.get_running_loop())

    async def llm(self) -> LLMClient:
        """The client for the running loop; starts the embedded model on first use."""
        key = self._loop_key()
        client = self._clients.get(key)
        if client is None:
            from claimstance.llm.client import LLMClient  # imports openai (0.5 s): first call only

            base_url = None
            if self.settings.replay_dir is not None:  # no model: the recording answers
                base_url = REPLAY_BASE_URL if self.settings.embedded else None
            elif self.settings.embedded:
                # Starting the server blocks for a second or more: not on the event loop.
                server = await asyncio.to_thread(shared_server, self.settings)
                base_url = server.base_url
                client = self._clients.get(key)  # another task may have won the race
                if client is not None:
                    return client
            http_client = self._http_client_factory() if self._http_client_factory else None
            client = LLMClient(
                self.settings, base_url=base_url, http_client=http_client, recorder=self.recorder
            )
            self._clients[key] = client
        return client

    @property
    def limiter(self) -> asyncio.Semaphore:
        key = self._loop_key()
        if key not in self._limiters:
            self._limiters[key] = asyncio.Semaphore(self.settings.concurrency)
        return self._limiters[key]

    async def ask(
        self,
        response_model: type[T],
        prompt: Prompt,
        messages: list[Message],
        *,
        strategy: str,
        targets: Sequence[str] = (),
        max_tokens: int | None = None,
        fallback: Fallback | None = None,
    ) -> tuple[T, Usage, str | None]:
        """One cached, rate-limited structured call: the answer, its usage, and why it is
        degraded (None when it is not).

        ``fallback`` may turn an answer that failed validation or was cut off into a usable
        one (JSON) and say why it is degraded. What it returns is cached with the reason,
        so a repeated run gives the same answer and the same warning.
        """
        key = cache_key(
            self.settings,
            prompt_ref=prompt.ref,
            schema=_schema(response_model),
            strategy=strategy,
            targets=targets,
            messages=messages,
            params={"max_tokens": max_tokens} if max_tokens else None,
        )

        async def compute() -> tuple[str, Usage]:
            try:
                result = await (await self.llm()).structured(
                    response_model, messages, max_tokens=max_tokens
                )
            except ExtractionError as e:
                rescued = fallback(e) if fallback else None
                if rescued is None:
                    raise
                answer, reason = rescued
                if reason is None:
                    return answer, e.usage or Usage()
                return json.dumps({RESCUED: reason, "answer": answer}), e.usage or Usage()
            return result.raw, result.usage

        def unwrap(raw: str) -> tuple[str, str | None]:
            if raw.startswith("{" + json.dumps(RESCUED)):
                wrapper = json.loads(raw)
                return str(wrapper["answer"]), str(wrapper[RESCUED])
            return raw, None

        def valid(raw: str) -> bool:
            try:
                response_model.model_validate_json(unwrap(raw)[0], context={"lenient": True})
            except (ValueError, KeyError):  # pydantic's ValidationError is a ValueError
                return False
            return True

        async with self.limiter:
            raw, usage = await self.cache.get_or_compute(key, compute, valid=valid)
        answer, degraded = unwrap(raw)
        value = response_model.model_validate_json(answer, context={"lenient": True})
        return value, usage, degraded

    async def ask_words(
        self,
        prompt: Prompt,
        request: list[Message] | str,
        words: tuple[str, ...],
        *,
        strategy: str,
        targets: Sequence[str] = (),
    ) -> tuple[dict[str, float] | None, Usage]:
        """One cached, rate-limited one-token call (chat messages, or a plain text for the
        completions endpoint): each answer word's probability, or None when the endpoint
        returns no log-probabilities."""
        key = cache_key(
            self.settings,
            prompt_ref=prompt.ref,
            schema={"words": list(words)},
            strategy=strategy,
            targets=targets,
            messages=request if isinstance(request, list) else [{"text": request}],
            params={"max_tokens": 1, "logprobs": True, "top_logprobs": TOP_ALTERNATIVES},
        )

        async def compute() -> tuple[str, Usage]:
            result = await (await self.llm()).classify(request, words, top=TOP_ALTERNATIVES)
            return json.dumps({"probabilities": result.probabilities}), result.usage

        def valid(raw: str) -> bool:
            try:
                return isinstance(json.loads(raw), dict)
            except ValueError:
                return False

        async with self.limiter:
            raw, usage = await self.cache.get_or_compute(key, compute, valid=valid)
        found = json.loads(raw).get("probabilities")
        if not isinstance(found, dict):
            return None, usage
        return {str(k): float(v) for k, v in found.items()}, usage

    async def ping(self) -> None:
        """Raise ProviderError unless the model endpoint answers (the embedded one starts)."""
        await (await self.llm()).ping()

    def chunk_ranges(self, text: str) -> list[tuple[int, int]]:
        return chunk_ranges(text, self.settings.chunk_chars, self.settings.chunk_overlap)

    async def aclose_clients(self) -> None:
        """Close the clients of the running loop (others are closed with their loops)."""
        client = self._clients.pop(self._loop_key(), None)
        if client is not None:
            await client.aclose()

    def close(self) -> None:
        self.cache.close()
        if self.recorder is not None:
            self.recorder.close()
