"""The one path to a language model: the OpenAI SDK plus instructor, over HTTP.

This is the only module that imports ``openai`` or ``instructor``. It owns two retry
loops, one per failure kind, so that they never multiply:

* transport (429, 5xx, timeouts, dropped connections): tenacity around each HTTP
  request, honouring ``Retry-After``; the SDK's own retries are off (``max_retries=0``);
* validation (the answer does not fit the schema or is not grounded): instructor's
  ``max_retries``, which re-asks with the validation error in the conversation.

Vendor exceptions are translated into :mod:`service.errors` types with ``raise … from``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
import instructor
import jiter
import openai
from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from schemas.models import Usage
from service.config import Settings
from service.errors import ExtractionError, ProviderError

T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]
Sleep = Callable[[float], Awaitable[None]]

_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
}
# instructor logs every failed attempt at ERROR; we turn them into typed errors and
# warnings instead, so its log lines would only duplicate them on a user's terminal.
logging.getLogger("instructor").setLevel(logging.CRITICAL)

_RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_MAX_RETRY_AFTER = 120.0


@dataclass
class _Counter:
    calls: int = 0
    retries: int = 0
    responses: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def usage(self) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            calls=self.calls,
            retries=self.retries,
            reasks=max(self.responses - 1, 0),
        )


@dataclass
class LLMResult(Generic[T]):
    value: T
    usage: Usage
    #: The validated answer as JSON, which is what the cache stores.
    raw: str = field(repr=False)


def translate_error(error: BaseException) -> ProviderError:
    """Map an SDK/transport exception to a ProviderError that says whether to retry."""
    if isinstance(error, ProviderError):
        return error
    if isinstance(error, openai.APITimeoutError):
        return ProviderError(
            "request to the LLM endpoint timed out", retryable=True, original=error
        )
    if isinstance(error, openai.APIConnectionError):
        return ProviderError(
            f"cannot reach the LLM endpoint: {error}", retryable=True, original=error
        )
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        detail = _error_detail(error)
        hint = {
            401: " (check OPENAI_API_KEY)",
            403: " (the key lacks access)",
            404: " (check CLAIMSTANCE_MODEL and the base URL)",
        }.get(status, "")
        provider_error = ProviderError(
            f"LLM endpoint answered HTTP {status}: {detail}{hint}",
            retryable=status in _RETRYABLE_STATUS,
            status_code=status,
            original=error,
        )
        provider_error.retry_after = _retry_after(error.response)  # type: ignore[attr-defined]
        return provider_error
    if isinstance(error, httpx.TimeoutException):
        return ProviderError(
            "request to the LLM endpoint timed out", retryable=True, original=error
        )
    if isinstance(error, httpx.TransportError):
        return ProviderError(f"transport error: {error}", retryable=True, original=error)
    return ProviderError(f"unexpected LLM client error: {error!r}", retryable=False, original=error)


def _error_detail(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or body
        return str(message)[:300]
    return str(error.message)[:300]


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After``)."""
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = response.headers.get(header)
        if raw is None:
            continue
        try:
            return min(max(float(raw) * scale, 0.0), _MAX_RETRY_AFTER)
        except ValueError:
            continue  # an HTTP date; fall back to backoff
    return None


def _transport_wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    asked = getattr(error, "retry_after", None)
    if isinstance(asked, float):
        return asked
    backoff: float = min(0.5 * 2 ** (state.attempt_number - 1), 30.0)
    return backoff * (0.5 + random.random() / 2)


@functools.lru_cache(maxsize=512)
def wire_model(response_model: type[BaseModel]) -> type[BaseModel]:
    """The response model as instructor wants it, made once per model.

    instructor wraps a plain model in a new ``OpenAISchema`` subclass on every call, which
    costs milliseconds and defeats its own per-class schema cache; an already wrapped
    class is used as is. The wrapper keeps the name and docstring, so requests are the same.
    """
    if issubclass(response_model, instructor.OpenAISchema):
        return response_model
    wrapped: type[BaseModel] = instructor.openai_schema(response_model)
    return wrapped


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


def transport_retrying(settings: Settings, sleep: Sleep) -> AsyncRetrying:
    """The one transport retry policy: retryable ProviderErrors, Retry-After honoured."""
    return AsyncRetrying(
        stop=stop_after_attempt(settings.transport_retries + 1),
        wait=_transport_wait,
        retry=retry_if_exception(_is_retryable),
        sleep=sleep,
        reraise=True,
    )


class LLMClient:
    """An async structured-output client for one OpenAI-compatible endpoint."""

    def __init__(
        self,
        settings: Settings,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        mode: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.model = settings.resolved_model
        key = api_key or (settings.api_key.get_secret_value() if settings.api_key else None)
        self._client = openai.AsyncOpenAI(
            api_key=key or "not-needed",
            base_url=base_url or settings.base_url,
            max_retries=0,
            timeout=settings.timeout,
            http_client=http_client,
        )
        chosen = mode or settings.llm_mode
        # Forced tool calls are constrained decoding on OpenAI, vLLM, Ollama and
        # llama.cpp alike (llama-cpp-python rejects response_format "json_schema").
        self.mode = "tools" if chosen == "auto" else chosen
        # A local llama.cpp server answers 500 to requests it cannot handle; retrying
        # those only repeats the failure. Remote 5xx are transient and retried.
        self._retry_5xx = not settings.embedded
        self._sleep = sleep

    async def aclose(self) -> None:
        await self._client.close()

    async def structured(
        self,
        response_model: type[T],
        messages: list[Message],
        *,
        max_reasks: int | None = None,
        max_tokens: int | None = None,
    ) -> LLMResult[T]:
        """Ask for ``response_model``; raise ProviderError or ExtractionError on failure."""
        counter = _Counter()

        async def send(*args: Any, **kwargs: Any) -> Any:
            async for attempt in transport_retrying(self.settings, self._sleep):
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        counter.retries += 1
                    counter.calls += 1
                    try:
                        response = await self._client.chat.completions.create(*args, **kwargs)
                    except (openai.OpenAIError, httpx.HTTPError) as e:
                        error = translate_error(e)
                        if not self._retry_5xx and (error.status_code or 0) >= 500:
                            error.retryable = False
                        raise error from e
            counter.responses += 1
            if response.usage is not None:
                counter.prompt_tokens += response.usage.prompt_tokens or 0
                counter.completion_tokens += response.usage.completion_tokens or 0
            return response

        create = instructor.patch(create=send, mode=_MODES[self.mode])
        reasks = self.settings.max_reasks if max_reasks is None else max_reasks
        try:
            value = await create(  # type: ignore[misc]
                response_model=wire_model(response_model),
                messages=messages,
                model=self.model,
                temperature=self.settings.temperature,
                max_tokens=max_tokens or self.settings.max_tokens,
                max_retries=reasks,
            )
        except ProviderError:
            raise
        except instructor.core.exceptions.InstructorRetryException as e:
            cause = e.__cause__
            if isinstance(cause, ProviderError):  # a transport failure, not validation
                raise cause from cause.__cause__
            raise ExtractionError(
                f"the model's answer failed validation after {e.n_attempts} attempt(s): "
                f"{str(e)[:500]}",
                last_output=completion_text(e.last_completion),
                attempts=e.n_attempts,
                usage=counter.usage(),
            ) from e
        except instructor.core.exceptions.IncompleteOutputException as e:
            limit = max_tokens or self.settings.max_tokens
            raise ExtractionError(
                f"the model's answer was cut off at the token limit ({limit} tokens; "
                "CLAIMSTANCE_MAX_TOKENS)",
                last_output=completion_text(e.last_completion),
                attempts=counter.responses,
                usage=counter.usage(),
            ) from e
        except (openai.OpenAIError, httpx.HTTPError) as e:
            raise translate_error(e) from e
        except instructor.core.exceptions.InstructorError as e:
            raise ExtractionError(
                f"unusable answer from the model: {e}",
                attempts=counter.responses,
                usage=counter.usage(),
            ) from e
        if not isinstance(value, response_model):  # instructor returns a subclass instance
            value = response_model.model_validate(value.model_dump())
        return LLMResult(value=value, usage=counter.usage(), raw=value.model_dump_json())


def completion_text(completion: Any) -> str | None:
    """The payload of a chat completion: tool-call arguments or message content."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    calls = getattr(message, "tool_calls", None) or []
    for call in calls:
        arguments = getattr(getattr(call, "function", None), "arguments", None)
        if isinstance(arguments, str):
            return arguments
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None


def parse_json_payload(payload: str, *, partial: bool = False) -> Any:
    """Parse a model payload that may be wrapped in a Markdown code fence.

    ``partial`` also accepts JSON cut off mid-way (a token limit), returning what was
    complete, so that the claims before the cut are not lost.
    """
    text = payload.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    if partial:
        return jiter.from_json(text.encode(), partial_mode="trailing-strings")
    return json.loads(text)


# --------------------------------------------------------------------------------------
# Provider batch mode (used by service.provider_batch): the request body the live path
# would send, and thin wrappers over the Files and Batches endpoints. Kept here so that
# this stays the only module that imports openai/instructor.
# --------------------------------------------------------------------------------------


class _Captured(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__("captured")
        self.body = body


def request_body(
    settings: Settings,
    response_model: type[BaseModel],
    messages: list[Message],
    *,
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """The chat-completions body :meth:`LLMClient.structured` sends for these messages.

    Built by instructor itself (its request is captured, never sent), so tools, tool
    choice and response format are exactly those of the live path for the chosen mode.
    """

    def capture(*args: Any, **kwargs: Any) -> Any:
        raise _Captured(kwargs)

    mode = "tools" if settings.llm_mode == "auto" else settings.llm_mode
    create = instructor.patch(create=capture, mode=_MODES[mode])
    try:
        create(
            response_model=wire_model(response_model),
            messages=messages,
            model=settings.resolved_model,
            temperature=settings.temperature,
            max_tokens=max_tokens or settings.max_tokens,
            max_retries=0,
        )
    except _Captured as e:
        return e.body
    except Exception as e:
        cause = e.__cause__ or e.__context__
        if isinstance(cause, _Captured):
            return cause.body
        raise
    raise RuntimeError("instructor returned without sending a request")  # pragma: no cover


@dataclass(frozen=True)
class BatchInfo:
    """The part of a provider Batch object that claimstance uses."""

    id: str
    status: str
    input_file_id: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    request_counts: dict[str, int] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)


def _batch_info(batch: Any) -> BatchInfo:
    counts = batch.request_counts.model_dump() if batch.request_counts is not None else {}
    return BatchInfo(
        id=batch.id,
        status=batch.status,
        input_file_id=batch.input_file_id,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        request_counts={k: int(v) for k, v in counts.items() if v is not None},
        metadata=dict(batch.metadata or {}),
    )


class BatchAPI:
    """Files and Batches endpoints with the same transport retries and typed errors."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        key = settings.api_key.get_secret_value() if settings.api_key else None
        self._client = openai.AsyncOpenAI(
            api_key=key or "not-needed",
            base_url=settings.base_url,
            max_retries=0,
            timeout=settings.timeout,
            http_client=http_client,
        )
        self._sleep = sleep

    async def _call(self, call: Callable[[], Awaitable[Any]]) -> Any:
        async for attempt in transport_retrying(self.settings, self._sleep):
            with attempt:
                try:
                    return await call()
                except (openai.OpenAIError, httpx.HTTPError) as e:
                    raise translate_error(e) from e
        raise RuntimeError("unreachable")  # pragma: no cover

    async def upload(self, path: Path) -> str:
        """Upload a request file (purpose ``batch``); return its file id."""

        async def call() -> Any:
            with path.open("rb") as f:
                return await self._client.files.create(file=(path.name, f), purpose="batch")

        return str((await self._call(call)).id)

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        batch = await self._call(
            lambda: self._client.batches.create(
                input_file_id=input_file_id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
                metadata=metadata,
            )
        )
        return _batch_info(batch)

    async def retrieve(self, batch_id: str) -> BatchInfo:
        return _batch_info(await self._call(lambda: self._client.batches.retrieve(batch_id)))

    async def find(self, input_file_id: str, *, limit: int = 100) -> BatchInfo | None:
        """A batch already created for ``input_file_id`` (newest first), if any."""
        page = await self._call(lambda: self._client.batches.list(limit=limit))
        for batch in page.data:
            if batch.input_file_id == input_file_id:
                return _batch_info(batch)
        return None

    async def download(self, file_id: str, dest: Path) -> None:
        """Stream a file's content to ``dest`` (written to a temp file, then renamed)."""
        temp = dest.with_name(dest.name + ".part")

        async def call() -> None:
            streaming = self._client.files.with_streaming_response.content(file_id)
            async with streaming as response:
                with temp.open("wb") as f:
                    async for chunk in response.iter_bytes():
                        f.write(chunk)

        await self._call(call)
        temp.replace(dest)

    async def aclose(self) -> None:
        await self._client.close()
