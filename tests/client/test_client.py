"""``Client`` and ``AsyncClient`` against the app: typed results, typed errors, retries."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from claimstance import AsyncClient, Client, Extraction
from claimstance.errors import (
    AuthenticationError,
    ClaimstanceError,
    InputError,
    NotFound,
    ServiceBusy,
)
from tests.support.batch_fakes import TARGET, SlowFake, make_articles
from tests.support.paths import SEEDS
from tests.support.service import TOKEN, make_app, service_settings


def _client(app: Any, token: str | None = TOKEN, **options: Any) -> AsyncClient:
    return AsyncClient(
        "http://claimstance.test", token=token, transport=httpx.ASGITransport(app=app), **options
    )


def test_async_client_extracts_and_runs_a_job(tmp_path: Path) -> None:
    app = make_app(service_settings(tmp_path), SlowFake().client)
    seen: list[dict[str, Any]] = []

    async def go() -> tuple[Extraction, str, dict[str, Any], list[Extraction], list[Any]]:
        async with app.router.lifespan_context(app), _client(app) as client:
            one = await client.extract("“We will go on,” the minister said.", targets=[TARGET])
            articles = make_articles(3, seed_dir=SEEDS)
            job_id = await client.submit_job([*articles, {"id": "empty", "text": ""}])
            status = await client.wait(job_id, poll=0.05, progress=seen.append)
            results = [e async for e in client.results(job_id)]
            errors = await client.errors(job_id)
            return one, job_id, status, results, errors

    one, job_id, status, results, errors = asyncio.run(go())
    assert isinstance(one, Extraction) and one.claims[0].speaker.name
    assert status["status"] == "done" and status["id"] == job_id
    assert seen and seen[-1]["status"] == "done"
    assert sorted(r.article_id for r in results) == ["a00000", "a00001", "a00002"]
    assert [e["source"] for e in errors] == ["line:4"]  # the 4th article of the job


def test_client_errors_are_typed(tmp_path: Path) -> None:
    app = make_app(service_settings(tmp_path), SlowFake().client)

    async def go() -> list[ClaimstanceError]:
        raised: list[ClaimstanceError] = []
        async with app.router.lifespan_context(app):
            async with _client(app, token="wrong") as client:
                with pytest.raises(AuthenticationError) as auth:
                    await client.extract("text")
                raised.append(auth.value)
            async with _client(app) as client:
                with pytest.raises(InputError) as bad:
                    await client.extract({"text": "", "id": "e1"})
                raised.append(bad.value)
                with pytest.raises(NotFound):
                    await client.job("0123456789abcdef")
        return raised

    auth, bad = asyncio.run(go())
    assert auth.code == "unauthorized" and TOKEN not in str(auth)
    assert bad.article_id == "e1"


def test_client_retries_busy_and_rate_limited_answers_honouring_retry_after() -> None:
    answers = [
        httpx.Response(
            503, headers={"Retry-After": "0"}, json={"error": {"code": "busy", "message": "busy"}}
        ),
        httpx.Response(
            429,
            headers={"Retry-After": "0"},
            json={"error": {"code": "busy", "message": "slow down"}},
        ),
    ]
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if answers:
            return answers.pop(0)
        return httpx.Response(200, json={"id": "j1", "status": "done"})

    async def go(retries: int) -> dict[str, Any]:
        transport = httpx.MockTransport(handle)
        async with AsyncClient(
            "http://x.test", transport=transport, retries=retries, backoff=0.01
        ) as client:
            return await client.job("j1")

    assert asyncio.run(go(5))["status"] == "done"
    assert len(sent) == 3
    answers.append(
        httpx.Response(
            503, headers={"Retry-After": "0"}, json={"error": {"code": "busy", "message": "b"}}
        )
    )
    with pytest.raises(ServiceBusy) as busy:
        asyncio.run(go(0))
    assert busy.value.retry_after == 0


@contextlib.contextmanager
def _serving(app: Any) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_sync_client_against_a_real_server_on_loopback(tmp_path: Path) -> None:
    app = make_app(service_settings(tmp_path), SlowFake().client)
    with _serving(app) as url, Client(url, token=TOKEN) as client:
        one = client.extract("“Enough,” the mayor said.", targets=["the plan"])
        job_id = client.submit_job(make_articles(2, seed_dir=SEEDS), targets=[TARGET])
        status = client.wait(job_id, poll=0.05, timeout=20)
        results = list(client.results(job_id))
        assert client.cancel(job_id)["status"] == "done"  # nothing to cancel any more
    assert one.claims and one.claims[0].stances[0].target == "the plan"
    assert status["status"] == "done"
    assert sorted(r.article_id for r in results) == ["a00000", "a00001"]
