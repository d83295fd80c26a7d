"""Helpers for the HTTP service tests: settings, an app over a fake endpoint, a client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from claimstance.config import Settings
from claimstance.pipeline.extractor import Extractor
from claimstance.server.app import create_app
from claimstance.server.jobs_view import INPUT, RECORD, JobRecord
from tests.support.fake_llm import BASE_URL

TOKEN = "test-token-0123456789"
HttpFactory = Callable[[], httpx.AsyncClient]


def service_settings(state_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": BASE_URL,
        "api_key": "sk-test",
        "model": "fake-model",
        "strategy": "article",
        "cache_enabled": False,
        "state_dir": state_dir,
        "api_token": TOKEN,
    }
    values.update(overrides)
    return Settings.from_env({}, **values)


def make_app(settings: Settings, http: HttpFactory, **options: Any) -> FastAPI:
    return create_app(
        settings,
        extractor_factory=lambda s: Extractor(s, http_client_factory=http),
        **options,
    )


@contextlib.asynccontextmanager
async def running(app: FastAPI, token: str | None = TOKEN) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (job resume, shutdown) and an HTTP client bound to it."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://claimstance.test", headers=headers
        ) as client:
            yield client


async def wait_for(
    client: httpx.AsyncClient,
    job_id: str,
    done: Callable[[dict[str, Any]], bool],
    timeout: float = 20,
) -> dict[str, Any]:
    """Poll a job until ``done(status)``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status: dict[str, Any] = (await client.get(f"/v1/jobs/{job_id}")).json()
        if done(status):
            return status
        assert asyncio.get_running_loop().time() < deadline, status
        await asyncio.sleep(0.05)


def job_on_disk(
    state_dir: Path,
    lines: list[str],
    *,
    status: str = "queued",
    job_id: str = "0123456789abcdef",
    strategy: str = "article",
) -> Path:
    """A job directory as a server leaves it (input and record), without any run yet."""
    path = state_dir / "jobs" / job_id
    path.mkdir(parents=True)
    (path / INPUT).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    record = JobRecord.model_validate(
        {"id": job_id, "status": status, "strategy": strategy, "articles": len(lines)}
    )
    (path / RECORD).write_text(record.model_dump_json(), encoding="utf-8")
    return path


def record_on_disk(path: Path) -> JobRecord:
    return JobRecord.model_validate_json((path / RECORD).read_text(encoding="utf-8"))
