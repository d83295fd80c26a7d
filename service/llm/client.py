"""Structured calls: instructor over the OpenAI SDK, with transport retries per request
(:mod:`claimstance.llm.transport`) and validation re-asks by instructor."""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
import instructor
import openai
from pydantic import BaseModel

from claimstance.config import Settings
from claimstance.errors import ExtractionError, ProviderError
from claimstance.llm.answers import completion_text, first_token_mass
from claimstance.llm.recording import Recorder
from claimstance.llm.transport import (
    Sleep,
    request_deadline,
    transport_retrying,
    vendor_errors,
)
from claimstance.schemas.models import Usage

T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]

#: Structured-output modes by setting name (``CLAIMSTANCE_LLM_MODE``).
MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
}
# instructor logs every failed attempt at ERROR; we turn them into typed errors and
# warnings instead, so its log lines would only duplicate them on a user's terminal.
logging.getLogger("instructor").setLevel(logging.CRITICAL)


class RememberedCheck:
    """instructor's check for async validators, run once per response model, not ~6 times a call.

    instructor 1.x walks the whole model tree in pure Python several times per request
    (about a millisecond, the batch engine's largest overhead at high request rates). A
    class does not change, so a model that passed is remembered (weakly, so per-article
    choice models are not kept alive); a failing model is checked, and fails, every time.
    """

    def __init__(self, check: Callable[[Any], None]) -> None:
        self.check = check
        self.passed: weakref.WeakSet[Any] = weakref.WeakSet()

    def __call__(self, response_model: Any) -> None:
        try:
            if response_model in self.passed:
                return
        except TypeError:  # not weakly referenceable (e.g. a typing alias): no memo
            self.check(response_model)
            return
        self.check(response_model)
        self.passed.add(response_model)


def _remember_async_validator_checks() -> None:
    try:
        from instructor.v2.core import patch as v2_patch
        from instructor.v2.validation import async_validators
    except ImportError:  # another instructor layout: keep its behaviour
        return
    check = async_validators.reject_async_validators
    if isinstance(check, RememberedCheck):
        return
    remembered = RememberedCheck(check)
    # instructor imports it inside each function from this module, and once at the top
    # of patch.py; both names are replaced.
    setattr(async_validators, "reject_async_validators", remembered)  # noqa: B010
    if getattr(v2_patch, "reject_async_validators", None) is check:
        setattr(v2_patch, "reject_async_validators", remembered)  # noqa: B010


_remember_async_validator_checks()


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


def resolved_mode(settings: Settings, mode: str | None = None) -> str:
    """The structured-output mode to use; "auto" means forced tool calls, which are
    constrained decoding on OpenAI, vLLM, Ollama and llama.cpp alike (llama-cpp-python
    rejects response_format "json_schema")."""
    chosen = mode or settings.llm_mode
    return "tools" if chosen == "auto" else chosen


def openai_client(
    settings: Settings,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    http_client: httpx.AsyncClient | None = None,
    recorder: Recorder | None = None,
) -> openai.AsyncOpenAI:
    """The SDK client for live and batch calls: its own retries off (tenacity owns them)."""
    key = api_key or (settings.api_key.get_secret_value() if settings.api_key else None)
    if settings.local:
        key = None  # --local: a remote key configured for other tools never goes to loopback
    if recorder is not None:
        http_client = recorder.attach(http_client or openai.DefaultAsyncHttpxClient())
    return openai.AsyncOpenAI(
        api_key=key or "not-needed",
        base_url=base_url or settings.base_url,
        max_retries=0,
        timeout=settings.timeout,
        http_client=http_client,
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
        recorder: Recorder | None = None,
    ) -> None:
        self.settings = settings
        self.model = settings.resolved_model
        self._client = openai_client(
            settings, base_url=base_url, api_key=api_key, http_client=http_client, recorder=recorder
        )
        self.mode = resolved_mode(settings, mode)
        # A local llama.cpp server answers 500 to requests it cannot handle; retrying
        # those only repeats the failure. Remote 5xx are transient and retried.
        self._retry_5xx = not settings.embedded
        self._sleep = sleep

    async def aclose(self) -> None:
        await self._client.close()

    async def ping(self, timeout: float = 5.0) -> None:
        """Raise ProviderError unless the endpoint answers ``GET /models`` (readiness)."""
        with vendor_errors():
            await self._client.with_options(timeout=timeout).models.list()

    async def classify(
        self, request: list[Message] | str, words: tuple[str, ...], *, top: int = 20
    ) -> LabelResult:
        """A one-token answer and the probability mass of each of ``words`` at it, read from
        the log-probabilities (constrained decoding in effect: only those words count).

        ``request`` is chat messages, or one plain text for the completions endpoint
        (what the embedded server's small model reads best: no chat template). ``top``:
        how many alternatives to ask for (20 is the most OpenAI's chat endpoint, llama.cpp
        and vLLM accept; OpenAI's legacy completions endpoint allows 5).
        """
        counter = _Counter()
        try:
            response = await self._send(counter, lambda: self._send_classify(request, top))
        except ProviderError as e:
            e.usage = counter.usage()  # every request sent is counted, failed ones too
            raise
        return LabelResult(probabilities=first_token_mass(response, words), usage=counter.usage())

    async def _send(self, counter: _Counter, request: Callable[[], Awaitable[Any]]) -> Any:
        """One request with the transport policy: tenacity's retries, the whole-request
        deadline, vendor errors mapped; every attempt and the answer's tokens counted."""
        async for attempt in transport_retrying(self.settings, self._sleep):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    counter.retries += 1
                counter.calls += 1
                with vendor_errors(retry_5xx=self._retry_5xx):
                    async with request_deadline(self.settings.timeout):
                        response = await request()
        counter.responses += 1
        if response.usage is not None:
            counter.prompt_tokens += response.usage.prompt_tokens or 0
            counter.completion_tokens += response.usage.completion_tokens or 0
        return response

    async def _send_classify(self, request: list[Message] | str, top: int) -> Any:
        if isinstance(request, str):
            return await self._client.completions.create(
                prompt=request, model=self.model, temperature=0.0, max_tokens=1, logprobs=top
            )
        return await self._client.chat.completions.create(
            messages=request,  # type: ignore[arg-type]
            model=self.model,
            temperature=0.0,
            max_tokens=1,
            logprobs=True,
            top_logprobs=top,
        )

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
            create = self._client.chat.completions.create
            return await self._send(counter, lambda: create(*args, **kwargs))

        create = instructor.patch(create=send, mode=MODES[self.mode])
        reasks = self.settings.max_reasks if max_reasks is None else max_reasks
        try:
            with vendor_errors():
                value = await create(  # type: ignore[misc]
                    response_model=wire_model(response_model),
                    messages=messages,
                    model=self.model,
                    temperature=self.settings.temperature,
                    max_tokens=max_tokens or self.settings.max_tokens,
                    max_retries=reasks,
                )
        except ProviderError as e:
            e.usage = counter.usage()  # every request sent is counted, failed ones too
            raise
        except instructor.core.exceptions.InstructorRetryException as e:
            cause = e.__cause__
            if isinstance(cause, ProviderError):  # a transport failure, not validation
                cause.usage = counter.usage()
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
                cut_off=True,
            ) from e
        except instructor.core.exceptions.InstructorError as e:
            raise ExtractionError(
                f"unusable answer from the model: {e}",
                attempts=counter.responses,
                usage=counter.usage(),
            ) from e
        if not isinstance(value, response_model):  # instructor returns a subclass instance
            value = response_model.model_validate(value.model_dump())
        return LLMResult(value=value, usage=counter.usage(), raw=value.model_dump_json())


@dataclass
class LabelResult:
    """Label probabilities from a one-token answer; None when the endpoint gave no
    log-probabilities."""

    probabilities: dict[str, float] | None
    usage: Usage
