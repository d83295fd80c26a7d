"""A request is bounded as a whole, not per read: a slow drip cannot hold it for ever."""

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
