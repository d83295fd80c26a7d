"""Failed requests: bounded as a whole in time, and every request sent is counted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import pytest

from claimstance.config import Settings
from claimstance.errors import ProviderError
from claimstance.llm.client import LLMClient


def test_a_request_that_never_finishes_ends_at_the_timeout(
    make_settings: Callable[..., Settings],
) -> None:
    seen: list[float] = []

    async def hang(request: httpx.Request) -> httpx.Response:
        seen.append(time.monotonic())
        await asyncio.sleep(30)  # a server that keeps the connection and never completes
        return httpx.Response(200, json={})

    async def go() -> None:
        settings = make_settings(timeout=0.3, transport_retries=5)
        client = LLMClient(
            settings, http_client=httpx.AsyncClient(transport=httpx.MockTransport(hang))
        )
        try:
            await client.classify("Stance toward X:", ("positive", "negative"))
        finally:
            await client.aclose()

    started = time.monotonic()
    with pytest.raises(ProviderError, match=r"within 0\.3 s"):
        asyncio.run(go())
    elapsed = time.monotonic() - started
    # Not the 30 s the server would hold each attempt: retries stop once three timeouts
    # have passed since the first attempt (a loose bound, not a speed target).
    assert elapsed < 10
    assert 1 <= len(seen) <= 6


def test_a_failed_call_counts_every_request_it_sent(make_settings: Callable[..., Settings]) -> None:
    sent: list[int] = []

    def unavailable(request: httpx.Request) -> httpx.Response:
        sent.append(1)
        return httpx.Response(503, json={"error": {"message": "overloaded"}})

    async def no_wait(seconds: float) -> None:
        return None

    async def go() -> None:
        client = LLMClient(
            make_settings(transport_retries=2),
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(unavailable)),
            sleep=no_wait,
        )
        try:
            await client.classify("Stance toward X:", ("positive", "negative"))
        finally:
            await client.aclose()

    with pytest.raises(ProviderError) as raised:
        asyncio.run(go())
    assert raised.value.usage is not None
    assert (raised.value.usage.calls, raised.value.usage.retries) == (len(sent), 2) == (3, 2)


def test_no_retry_starts_past_three_timeouts_after_the_first_attempt(
    make_settings: Callable[..., Settings],
) -> None:
    """A Retry-After longer than the budget left is not waited out: the call fails now,
    instead of sleeping 5 s to start a retry beyond three timeouts (3 x 1 s)."""
    sent: list[int] = []
    waited: list[float] = []

    def busy(request: httpx.Request) -> httpx.Response:
        sent.append(1)
        return httpx.Response(429, headers={"Retry-After": "5"}, json={"error": "slow down"})

    async def record(seconds: float) -> None:
        waited.append(seconds)

    async def go() -> None:
        client = LLMClient(
            make_settings(timeout=1.0, transport_retries=3),
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(busy)),
            sleep=record,
        )
        try:
            await client.classify("Stance toward X:", ("positive", "negative"))
        finally:
            await client.aclose()

    with pytest.raises(ProviderError, match="HTTP 429") as raised:
        asyncio.run(go())
    assert (len(sent), waited) == (1, [])
    assert raised.value.usage is not None and raised.value.usage.calls == 1
