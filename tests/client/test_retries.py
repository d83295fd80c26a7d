"""The clients' retries: growing, spread waits; streamed results; unreachable servers;
the server's word on whether a provider failure is worth retrying."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimstance import AsyncClient
from claimstance.errors import ProviderError, ServiceBusy, ServiceError
from tests.support.batch_fakes import SlowFake
from tests.support.service import TOKEN, make_app, running, service_settings

BUSY = {"error": {"code": "busy", "message": "busy"}}


def _waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's sleeps, recorded instead of slept."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return waits


def _client(handle: Callable[[httpx.Request], httpx.Response], **options: Any) -> AsyncClient:
    return AsyncClient("http://x.test", transport=httpx.MockTransport(handle), **options)


def test_waits_grow_past_retry_after_and_are_spread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every refused client waiting exactly Retry-After would all come back together."""
    waits = _waits(monkeypatch)

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "1"}, json=BUSY)

    async def go() -> None:
        async with _client(handle, retries=5, backoff=0.5, max_wait=30) as client:
            await client.job("j1")

    for _ in range(4):
        with pytest.raises(ServiceBusy):
            asyncio.run(go())
    runs = [waits[i : i + 5] for i in range(0, len(waits), 5)]
    for run in runs:
        assert all(w >= 1 for w in run), run  # never sooner than the server asked
        assert run[-1] >= 8 and run[1:] == sorted(run[1:]), run  # 0.5 · 2**4, growing
        assert all(w <= 30 for w in run)
    assert len({run[0] for run in runs}) > 1, "jittered: clients do not all come back at once"


def test_streamed_results_are_retried_when_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    waits = _waits(monkeypatch)
    answers = [httpx.Response(503, headers={"Retry-After": "1"}, json=BUSY)]

    def handle(request: httpx.Request) -> httpx.Response:
        if answers:
            return answers.pop(0)
        return httpx.Response(200, content=b"")

    async def go() -> list[Any]:
        async with _client(handle) as client:
            return [e async for e in client.results("j1")]

    assert asyncio.run(go()) == []
    assert len(waits) == 1


def test_an_unreachable_server_is_a_service_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits = _waits(monkeypatch)
    calls: list[str] = []
    failures: list[type[httpx.TransportError]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if failures:
            raise failures.pop(0)("nope", request=request)
        return httpx.Response(200, json={"id": "j1", "status": "done"})

    async def go(**options: Any) -> dict[str, Any]:
        async with _client(handle, **options) as client:
            return await client.job("j1")

    failures.extend([httpx.ConnectError, httpx.ConnectError])  # then it is up
    assert asyncio.run(go())["status"] == "done"
    assert len(calls) == 3 and len(waits) == 2

    calls.clear()
    failures.extend([httpx.ConnectError] * 3)
    with pytest.raises(ServiceError, match=r"http://x\.test") as down:
        asyncio.run(go(retries=2))
    assert not isinstance(down.value, httpx.HTTPError) and len(calls) == 3

    calls.clear()
    failures.append(httpx.ReadError)  # the request may have been received: not repeated
    with pytest.raises(ServiceError, match="ReadError"):
        asyncio.run(go())
    assert len(calls) == 1


def test_provider_errors_carry_the_servers_retryable(tmp_path: Path) -> None:
    app = make_app(service_settings(tmp_path), SlowFake().client)

    async def go() -> tuple[dict[str, Any], ProviderError]:
        async with running(app) as http:
            answer = await http.post("/v1/extract", json={"text": "FAIL401 “no”, he said."})
            transport = httpx.ASGITransport(app=app)
            async with AsyncClient("http://t.test", token=TOKEN, transport=transport) as client:
                with pytest.raises(ProviderError) as raised:
                    await client.extract("FAIL401 “no”, she said.")
            return json.loads(answer.text), raised.value

    body, error = asyncio.run(go())
    assert body["error"]["code"] == "provider" and body["error"]["retryable"] is False
    assert error.retryable is False
