"""Transport failures: one retry policy (tenacity, honouring Retry-After) and the one
boundary where SDK and httpx exceptions become :class:`claimstance.errors.ProviderError`
(:func:`vendor_errors`)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import httpx
import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
)
from tenacity.stop import stop_base

from claimstance.config import Settings
from claimstance.errors import ProviderError

Sleep = Callable[[float], Awaitable[None]]

_RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_MAX_RETRY_AFTER = 120.0
#: One request, its retries and their waits included, ends within this many timeouts.
_TOTAL_TIMEOUTS = 3


@contextlib.asynccontextmanager
async def request_deadline(seconds: float) -> AsyncIterator[None]:
    """Bound one HTTP request as a whole. httpx's timeout is per read, so a server that
    drips one byte a second could hold a request for ever; this is the request's deadline."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as e:
        raise ProviderError(
            f"the LLM endpoint did not finish answering within {seconds:g} s (CLAIMSTANCE_TIMEOUT)",
            retryable=True,
        ) from e


@contextlib.contextmanager
def vendor_errors(*, retry_5xx: bool = True) -> Iterator[None]:
    """Raise an OpenAI SDK or httpx exception from the block as a ProviderError, ``from`` it.

    ``retry_5xx=False`` marks server errors as final (a local server that answers 500 to a
    request will answer it the same way again).
    """
    try:
        yield
    except (openai.OpenAIError, httpx.HTTPError) as e:
        error = translate_error(e)
        if not retry_5xx and (error.status_code or 0) >= 500:
            error.retryable = False
        raise error from e


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


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


class _StartsTooLate(stop_base):
    """Stop when the next attempt would start ``total`` seconds or more after the first,
    the wait before it included (tenacity's ``stop_after_delay`` looks only at the time
    already passed, so a retry decided just before the limit, or after a long Retry-After,
    started well past it). tenacity 8.3+ computes the wait before asking to stop; before
    that ``upcoming_sleep`` is 0 here and only the time passed counts."""

    def __init__(self, total: float) -> None:
        self.total = total

    def __call__(self, retry_state: RetryCallState) -> bool:
        passed = retry_state.seconds_since_start or 0.0
        return passed + (getattr(retry_state, "upcoming_sleep", 0.0) or 0.0) >= self.total


def transport_retrying(settings: Settings, sleep: Sleep) -> AsyncRetrying:
    """The one transport retry policy: retryable ProviderErrors, Retry-After honoured (up
    to 120 s a wait), and no retry that would start once :data:`_TOTAL_TIMEOUTS` timeouts
    have passed since the first attempt: a request with its retries ends within four."""
    total = settings.timeout * _TOTAL_TIMEOUTS
    return AsyncRetrying(
        stop=stop_after_attempt(settings.transport_retries + 1) | _StartsTooLate(total),
        wait=_transport_wait,
        retry=retry_if_exception(_is_retryable),
        sleep=sleep,
        reraise=True,
    )
