"""What stands before the routes: the body limit, the token, metrics labels, the last-resort
error answer, request limits and the API description."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimstance.errors import InputError
from claimstance.pipeline import extractor
from tests.support.batch_fakes import SlowFake
from tests.support.service import TOKEN, make_app, running, service_settings


async def _chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b" " * size


def test_an_oversized_chunked_body_is_413_on_every_route(tmp_path: Path) -> None:
    """No Content-Length: the limit counts the bytes received, also where FastAPI reads
    the body itself (/v1/extract), not only where the route reads it raw (/v1/jobs)."""
    settings = service_settings(tmp_path, max_body_bytes=4096)

    async def go() -> list[httpx.Response]:
        async with running(make_app(settings, SlowFake().client)) as client:
            json_type = {"Content-Type": "application/json"}
            return [
                await client.post("/v1/extract", content=_chunks(10, 1000), headers=json_type),
                await client.post("/v1/jobs", content=_chunks(10, 1000), headers=json_type),
                await client.get("/metrics"),
            ]

    extract, jobs, metrics = asyncio.run(go())
    for response in (extract, jobs):
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "too_large"
    assert 'claimstance_failures_total{code="too_large"} 2.0' in metrics.text


def test_a_small_chunked_body_still_reaches_the_route(tmp_path: Path) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"text": "\xe2\x80\x9cYes,\xe2\x80\x9d she said.",'
        yield b' "id": "c1"}'

    async def go() -> httpx.Response:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            return await client.post(
                "/v1/extract", content=body(), headers={"Content-Type": "application/json"}
            )

    response = asyncio.run(go())
    assert response.status_code == 200, response.text
    assert response.json()["article_id"] == "c1"


def test_the_token_is_checked_before_the_body_is_read(tmp_path: Path) -> None:
    """An anonymous client gets 401 whatever it sends, and the server reads none of it."""
    app = make_app(service_settings(tmp_path), SlowFake().client)
    reads: list[str] = []
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        reads.append("body")
        return {"type": "http.request", "body": b"{not json", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def go() -> list[httpx.Response]:
        async with running(app, token=None) as client:
            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": "/v1/extract",
                "raw_path": b"/v1/extract",
                "query_string": b"",
                "headers": [(b"host", b"x"), (b"content-type", b"application/json")],
                "server": ("x", 80),
                "client": ("127.0.0.1", 1),
                "root_path": "",
            }
            await app(scope, receive, send)
            json_type = {"Content-Type": "application/json"}
            return [
                await client.post("/v1/extract", content=b"{not json", headers=json_type),
                await client.post(
                    "/v1/jobs",
                    content=b"{not json",
                    headers={**json_type, "Authorization": "Bearer nope"},
                ),
            ]

    responses = asyncio.run(go())
    assert sent[0]["status"] == 401 and reads == []
    for response in responses:
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthorized"
        assert TOKEN not in response.text


def test_made_up_http_methods_share_one_metrics_label(tmp_path: Path) -> None:
    async def go() -> str:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            for method in ("AAA1", "AAA2", "BREW"):
                await client.request(method, "/healthz")
            await client.get("/healthz")
            return (await client.get("/metrics")).text

    text = asyncio.run(go())
    assert "AAA1" not in text and "BREW" not in text
    assert 'method="other"' in text
    assert 'claimstance_http_requests_total{method="GET",route="/healthz",status="200"}' in text


def test_a_bug_is_a_json_500_that_tells_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(service_settings(tmp_path), SlowFake().client)

    def broken(job_id: str) -> Any:
        raise RuntimeError(f"boom at {tmp_path} with sk-secret0123456789")

    async def go() -> tuple[httpx.Response, str]:
        async with running(app) as client:
            app.state.service.jobs.view = broken
            response = await client.get("/v1/jobs/0123456789abcdef")
            return response, (await client.get("/metrics")).text

    response, metrics = asyncio.run(go())
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "internal"
    for leak in ("boom", str(tmp_path), "sk-secret", "Traceback"):
        assert leak not in response.text
    assert "RuntimeError: boom" in caplog.text, "the server's log has the traceback"
    assert "sk-secret" not in caplog.text
    assert 'claimstance_failures_total{code="internal"} 1.0' in metrics
    assert 'route="/v1/jobs/{job_id}",status="500"' in metrics


def test_too_many_targets_are_an_input_error(tmp_path: Path) -> None:
    most = extractor.MAX_TARGETS
    many = [f"target {i}" for i in range(most + 1)]
    with pytest.raises(InputError, match="targets"):
        extractor.as_targets(many, source="a1")
    assert len(extractor.as_targets(many[:most] * 2, source="a1")) == most

    async def go() -> list[httpx.Response]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            return [
                await client.post("/v1/extract", json={"text": "a", "targets": many}),
                await client.post("/v1/jobs", json={"articles": [{"text": "a"}], "targets": many}),
            ]

    for response in asyncio.run(go()):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "input"
        assert f"at most {most}" in response.json()["error"]["message"]


def test_a_job_level_input_error_names_no_article(tmp_path: Path) -> None:
    async def go() -> httpx.Response:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            return await client.post(
                "/v1/jobs", json={"articles": [{"text": "a"}], "targets": ["x" * 300]}
            )

    response = asyncio.run(go())
    assert response.status_code == 422
    assert "article_id" not in response.json()["error"]
    assert "<job>" not in response.text


def test_openapi_declares_the_job_body_and_one_error_model(tmp_path: Path) -> None:
    async def go() -> dict[str, Any]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            return dict((await client.get("/openapi.json")).json())

    spec = asyncio.run(go())
    body = spec["paths"]["/v1/jobs"]["post"]["requestBody"]["content"]
    assert set(body) >= {"application/json", "application/x-ndjson"}
    assert "JobRequest" in json.dumps(body["application/json"]["schema"])
    assert body["application/json"]["example"]["articles"]
    assert body["application/x-ndjson"]["schema"]["type"] == "string"
    schemas = spec["components"]["schemas"]
    assert "ErrorBody" in schemas and "HTTPValidationError" not in schemas
    extract = spec["paths"]["/v1/extract"]["post"]["responses"]
    for status in ("401", "413", "422", "502", "503", "504"):
        ref = extract[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorBody"), (status, ref)
    for path in ("/v1/jobs/{job_id}", "/v1/jobs/{job_id}/results"):
        for operation in spec["paths"][path].values():
            assert "404" in operation["responses"]
    assert "409" in spec["paths"]["/v1/jobs/{job_id}/results"]["get"]["responses"]
