"""The HTTP API through its ASGI app: extraction, auth, limits, errors, probes, metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from claimstance.errors import ConfigError
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article
from claimstance.server.security import check_bind
from tests.support.batch_fakes import TARGET, SlowFake
from tests.support.paths import SEEDS
from tests.support.replay import ReplayFactory
from tests.support.service import TOKEN, make_app, running, service_settings

SEED = sorted(SEEDS.glob("*.txt"))[0]


def test_extract_answers_what_the_extractor_gives_from_recorded_traffic(tmp_path: Path) -> None:
    """Recorded LLM traffic replayed strictly: the service's answer is the in-process one."""
    settings = service_settings(tmp_path)
    [article] = [a for a in read_articles([str(SEED)]) if isinstance(a, Article)]

    async def go() -> tuple[httpx.Response, str]:
        app = make_app(settings, ReplayFactory())
        async with running(app) as client:
            body = {**article.model_dump(exclude_none=True), "targets": [TARGET]}
            response = await client.post("/v1/extract", json=body)
        extractor = Extractor(settings, http_client_factory=ReplayFactory())
        expected = await extractor.aextract(article, targets=[TARGET])
        await extractor.aclose()
        extractor.close()
        return response, expected.model_dump_json()

    response, expected = asyncio.run(go())
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(expected)
    assert response.json()["claims"], "the recording holds claims for this seed"


def test_article_metadata_and_integer_ids_are_kept(tmp_path: Path) -> None:
    async def go() -> dict[str, object]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            body = {
                "text": "“We will go on,” the minister said.",
                "id": 42,
                "title": "Going on",
                "source": "Example Times",
                "url": "https://example.org/a",
                "published": "2026-11-30",
            }
            response = await client.post("/v1/extract", json=body)
            assert response.status_code == 200, response.text
            return dict(response.json())

    extraction = asyncio.run(go())
    assert extraction["article_id"] == "42"
    assert extraction["source"] == "Example Times"
    assert extraction["published"] == "2026-11-30"
    assert extraction["title"] == "Going on"
    assert extraction["url"] == "https://example.org/a"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic " + TOKEN, TOKEN])
def test_without_the_right_token_every_api_route_is_401(tmp_path: Path, header: str | None) -> None:
    async def go() -> list[httpx.Response]:
        app = make_app(service_settings(tmp_path), SlowFake().client)
        async with running(app, token=None) as client:
            headers = {"Authorization": header} if header else {}
            return [
                await client.post("/v1/extract", json={"text": "x"}, headers=headers),
                await client.get("/v1/jobs", headers=headers),
                await client.get("/metrics", headers=headers),
                await client.get("/healthz", headers=headers),
            ]

    *guarded, health = asyncio.run(go())
    for response in guarded:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert TOKEN not in response.text
    assert health.status_code == 200


def test_oversized_body_and_article_get_413(tmp_path: Path) -> None:
    settings = service_settings(tmp_path, max_body_bytes=4096, max_article_chars=500)

    async def go() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with running(make_app(settings, SlowFake().client)) as client:
            big = await client.post("/v1/extract", json={"text": "a" * 10_000})

            async def chunks() -> AsyncIterator[
                bytes
            ]:  # no Content-Length: the limit counts the bytes received
                for _ in range(10):
                    yield b" " * 1000

            streamed = await client.post(
                "/v1/jobs", content=chunks(), headers={"Content-Type": "application/x-ndjson"}
            )
            long = await client.post("/v1/extract", json={"text": "b " * 400, "id": "long-1"})
            return big, streamed, long

    big, streamed, long = asyncio.run(go())
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    assert streamed.status_code == 413
    assert long.status_code == 413
    assert long.json()["error"] == {
        "code": "too_large",
        "message": long.json()["error"]["message"],
        "article_id": "long-1",
    }


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"text": ""}, "empty"),
        ({"txt": "a"}, "text"),
        ({"text": "a", "strategy": "foo"}, "strategy"),
        ({"text": "a", "targets": ["x" * 300]}, "target"),
    ],
)
def test_bad_requests_are_422_with_a_readable_message(
    tmp_path: Path, body: dict[str, object], fragment: str
) -> None:
    async def go() -> httpx.Response:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            return await client.post("/v1/extract", json=body)

    response = asyncio.run(go())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "input" and fragment in error["message"]


def test_a_failing_endpoint_is_502_naming_the_article(tmp_path: Path) -> None:
    async def go() -> httpx.Response:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            return await client.post(
                "/v1/extract", json={"text": "FAIL401 “no”, he said.", "id": "p1"}
            )

    response = asyncio.run(go())
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "provider"
    assert response.json()["error"]["article_id"] == "p1"


def test_saturated_server_says_503_with_retry_after(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.3)
    settings = service_settings(tmp_path, max_in_flight=1)

    async def go() -> list[httpx.Response]:
        async with running(make_app(settings, fake.client)) as client:
            first = asyncio.create_task(
                client.post("/v1/extract", json={"text": "“One,” she said."})
            )
            await asyncio.sleep(0.1)
            second = await client.post("/v1/extract", json={"text": "“Two,” she said."})
            return [await first, second]

    first, second = asyncio.run(go())
    assert first.status_code == 200
    assert second.status_code == 503
    assert second.headers["Retry-After"] == "1"
    assert second.json()["error"]["code"] == "busy"


def test_identical_concurrent_requests_share_one_llm_call(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.3)
    text = SEED.read_text(encoding="utf-8")

    async def go() -> list[httpx.Response]:
        async with running(make_app(service_settings(tmp_path), fake.client)) as client:
            body = {"text": text, "targets": [TARGET]}
            return list(
                await asyncio.gather(*(client.post("/v1/extract", json=body) for _ in range(4)))
            )

    responses = asyncio.run(go())
    assert all(r.status_code == 200 for r in responses)
    assert len({json.dumps(r.json()["claims"]) for r in responses}) == 1
    calls = [r.json()["usage"]["calls"] for r in responses]
    assert len(fake.requests) == max(calls) == 1, (len(fake.requests), calls)
    assert sorted(calls) == [0, 0, 0, 1]


def test_concurrent_identical_failures_each_name_their_own_article(tmp_path: Path) -> None:
    """Single flight shares the failing call, not the error: each answer names its own
    article, and the call's requests are counted once."""
    fake = SlowFake(delay=0.3)
    text = "FAIL401 “no”, he said."

    async def go() -> tuple[list[httpx.Response], str]:
        async with running(make_app(service_settings(tmp_path), fake.client)) as client:
            answers = await asyncio.gather(
                *(client.post("/v1/extract", json={"text": text, "id": i}) for i in "AB")
            )
            return list(answers), (await client.get("/metrics")).text

    answers, metrics = asyncio.run(go())
    assert len(fake.requests) == 1
    assert [a.status_code for a in answers] == [502, 502]
    assert [a.json()["error"]["article_id"] for a in answers] == ["A", "B"]
    assert "claimstance_llm_calls_total 1.0" in metrics
    assert 'claimstance_failures_total{code="provider"} 2.0' in metrics


def test_request_timeout_is_504(tmp_path: Path) -> None:
    settings = service_settings(tmp_path, request_timeout=0.2)

    async def go() -> httpx.Response:
        async with running(make_app(settings, SlowFake(delay=2).client)) as client:
            return await client.post("/v1/extract", json={"text": "“Slow,” he said.", "id": "s"})

    response = asyncio.run(go())
    assert response.status_code == 504
    assert response.json()["error"] | {"message": ""} == {
        "code": "timeout",
        "message": "",
        "article_id": "s",
    }


def test_readiness_follows_the_model_endpoint(tmp_path: Path) -> None:
    up = {"value": False}

    def handle(request: httpx.Request) -> httpx.Response:
        if not up["value"]:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"object": "list", "data": []})

    factory = lambda: httpx.AsyncClient(transport=httpx.MockTransport(handle))  # noqa: E731
    settings = service_settings(tmp_path, transport_retries=0)

    async def go() -> tuple[httpx.Response, httpx.Response]:
        app = make_app(settings, factory)
        async with running(app) as client:
            down = await client.get("/readyz")
            up["value"] = True
            app.state.service._ready = (0.0, None)  # skip the few seconds' reuse
            ready = await client.get("/readyz")
            return down, ready

    down, ready = asyncio.run(go())
    assert down.status_code == 503 and down.json()["error"]["code"] == "not_ready"
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_metrics_count_requests_tokens_and_failures(tmp_path: Path) -> None:
    async def go() -> str:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            await client.post("/v1/extract", json={"text": "“Yes,” she said."})
            await client.post("/v1/extract", json={"text": ""})
            return (await client.get("/metrics")).text

    text = asyncio.run(go())
    assert (
        'claimstance_http_requests_total{method="POST",route="/v1/extract",status="200"} 1.0'
        in text
    )
    assert 'claimstance_failures_total{code="input"} 1.0' in text
    assert "claimstance_llm_calls_total 1.0" in text
    assert 'claimstance_jobs{state="running"} 0.0' in text
    assert "claimstance_http_request_duration_seconds_bucket" in text


def test_openapi_documents_the_routes_and_the_bearer_scheme(tmp_path: Path) -> None:
    async def go() -> dict[str, object]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            return dict((await client.get("/openapi.json")).json())

    spec = asyncio.run(go())
    paths = spec["paths"]
    assert isinstance(paths, dict)
    for path in ("/v1/extract", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/results"):
        assert path in paths
    assert "HTTPBearer" in json.dumps(spec["components"])
    assert "examples" in json.dumps(spec["components"])


def test_without_a_token_only_loopback_may_be_bound() -> None:
    for host in ("127.0.0.1", "::1", "localhost"):
        check_bind(host, token_configured=False)
    for host in ("0.0.0.0", "192.168.1.5", "::"):
        with pytest.raises(ConfigError, match="CLAIMSTANCE_API_TOKEN"):
            check_bind(host, token_configured=False)
    check_bind("0.0.0.0", token_configured=True)
