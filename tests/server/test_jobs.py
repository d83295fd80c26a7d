"""Jobs through the HTTP API: lifecycle, formats, cancel, and a restart mid-job."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq

from claimstance.batch.engine import extraction_ids
from tests.support.batch_fakes import TARGET, SlowFake, make_articles
from tests.support.paths import SEEDS
from tests.support.service import make_app, running, service_settings, wait_for

FINISHED = ("done", "failed", "cancelled")


def _jsonl(count: int, *, extra: str = "") -> bytes:
    lines = [
        json.dumps({"id": a.id, "text": a.text, "source": "Example Times"})
        for a in make_articles(count, seed_dir=SEEDS)
    ]
    return ("\n".join(lines) + "\n" + extra).encode()


def test_job_lifecycle_results_tables_and_errors(tmp_path: Path) -> None:
    async def go() -> dict[str, Any]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            submitted = await client.post(
                "/v1/jobs",
                content=_jsonl(5, extra='{"id": "bad", "text": ""}\nnot json\n'),
                params={"target": TARGET},
                headers={"Content-Type": "application/x-ndjson"},
            )
            assert submitted.status_code == 202, submitted.text
            job_id = submitted.json()["id"]
            status = await wait_for(client, job_id, lambda s: s["status"] in FINISHED)
            return {
                "status": status,
                "results": (await client.get(f"/v1/jobs/{job_id}/results")).text,
                "errors": (await client.get(f"/v1/jobs/{job_id}/errors")).text,
                "csv": await client.get(f"/v1/jobs/{job_id}/results?format=csv"),
                "parquet": await client.get(
                    f"/v1/jobs/{job_id}/results", params={"format": "parquet"}
                ),
                "listed": (await client.get("/v1/jobs")).json(),
                "metrics": (await client.get("/metrics")).text,
            }

    seen = asyncio.run(go())
    status = seen["status"]
    assert status["status"] == "done"
    assert status["counts"] | {"cached": 0} == {
        "total": 7,
        "done": 5,
        "failed": 2,
        "cached": 0,
        "in_flight": 0,
    }
    assert status["progress"] == 1.0 and status["targets"] == [TARGET]
    assert status["tokens"]["prompt"] > 0
    extractions = [json.loads(line) for line in seen["results"].splitlines()]
    assert len(extractions) == 5 and all(e["source"] == "Example Times" for e in extractions)
    errors = [json.loads(line) for line in seen["errors"].splitlines()]
    assert sorted(e["error"]["code"] for e in errors) == ["input", "input"]
    assert all(str(tmp_path) not in line for line in seen["errors"].splitlines())
    assert seen["csv"].status_code == 200 and seen["csv"].text.startswith('"article_id","title"')
    table = pq.read_table(io.BytesIO(seen["parquet"].content))
    assert set(table.column("source").to_pylist()) == {"Example Times"}
    assert [job["id"] for job in seen["listed"]] == [status["id"]]
    assert 'claimstance_jobs{state="done"} 1.0' in seen["metrics"]


def test_json_bodies_array_or_object(tmp_path: Path) -> None:
    articles = [{"id": 1, "text": "“One,” she said."}, {"id": 2, "text": "“Two,” he said."}]

    async def go() -> list[dict[str, Any]]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            statuses = []
            for body in (articles, {"articles": articles, "targets": ["one"]}):
                submitted = await client.post("/v1/jobs", json=body)
                assert submitted.status_code == 202, submitted.text
                job_id = submitted.json()["id"]
                statuses.append(await wait_for(client, job_id, lambda s: s["status"] in FINISHED))
            bad = await client.post("/v1/jobs", json={"articles": []})
            assert bad.status_code == 422 and "no articles" in bad.json()["error"]["message"]
            return statuses

    plain, with_targets = asyncio.run(go())
    assert plain["counts"]["done"] == 2 and plain["targets"] == []
    assert with_targets["targets"] == ["one"]


def test_cancel_stops_a_job_and_keeps_what_it_finished(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.2)

    async def go() -> tuple[dict[str, Any], dict[str, Any], int]:
        async with running(make_app(service_settings(tmp_path), fake.client)) as client:
            job_id = (
                await client.post(
                    "/v1/jobs", content=_jsonl(40), headers={"Content-Type": "application/x-ndjson"}
                )
            ).json()["id"]
            await wait_for(client, job_id, lambda s: s["counts"]["done"] >= 2)
            cancelled = (await client.delete(f"/v1/jobs/{job_id}")).json()
            await asyncio.sleep(0.5)
            later = (await client.get(f"/v1/jobs/{job_id}")).json()
            requests = len(fake.requests)
            await asyncio.sleep(0.5)
            assert len(fake.requests) == requests, "no request after the cancel"
            table = await client.get(f"/v1/jobs/{job_id}/results?format=csv")
            assert table.status_code == 200
            return cancelled, later, requests

    cancelled, later, requests = asyncio.run(go())
    assert cancelled["status"] == later["status"] == "cancelled"
    assert 2 <= later["counts"]["done"] < 40
    assert requests < 40


def test_a_restarted_server_resumes_without_redoing_finished_articles(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.1)
    settings = service_settings(tmp_path, concurrency=2)
    count = 12

    async def first_life() -> tuple[str, int]:
        async with running(make_app(settings, fake.client)) as client:
            job_id = (
                await client.post(
                    "/v1/jobs",
                    content=_jsonl(count),
                    headers={"Content-Type": "application/x-ndjson"},
                )
            ).json()["id"]
            status = await wait_for(client, job_id, lambda s: s["counts"]["done"] >= 3)
            assert status["status"] == "running"
        return job_id, status["counts"]["done"]

    async def second_life(job_id: str) -> tuple[dict[str, Any], list[str]]:
        async with running(make_app(settings, fake.client)) as client:
            status = await wait_for(client, job_id, lambda s: s["status"] in FINISHED)
            results = (await client.get(f"/v1/jobs/{job_id}/results")).text
            return status, [json.loads(line)["article_id"] for line in results.splitlines()]

    job_id, _ = asyncio.run(first_life())
    done_before = extraction_ids(tmp_path / "jobs" / job_id)
    asked_before = len(fake.requests)
    status, ids = asyncio.run(second_life(job_id))
    assert status["status"] == "done"
    assert len(ids) == len(set(ids)) == count
    assert 3 <= len(done_before) < count
    assert ids[: len(done_before)] == done_before
    asked_after = [json.dumps(r, ensure_ascii=False) for r in fake.requests[asked_before:]]
    for article_id in done_before:
        story = f"Story {int(article_id[1:])}\\n"
        assert not any(story in text for text in asked_after), f"{article_id} was asked again"


def test_unknown_jobs_and_unfinished_tables(tmp_path: Path) -> None:
    async def go() -> list[httpx.Response]:
        async with running(make_app(service_settings(tmp_path), SlowFake(1).client)) as client:
            job_id = (
                await client.post(
                    "/v1/jobs", content=_jsonl(2), headers={"Content-Type": "application/x-ndjson"}
                )
            ).json()["id"]
            return [
                await client.get("/v1/jobs/0123456789abcdef"),
                await client.get("/v1/jobs/..%2F..%2Fetc"),
                await client.get(f"/v1/jobs/{job_id}/results?format=parquet"),
                await client.delete("/v1/jobs/nope"),
            ]

    missing, traversal, unfinished, cancel_missing = asyncio.run(go())
    assert missing.status_code == traversal.status_code == cancel_missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert unfinished.status_code == 409 and unfinished.json()["error"]["code"] == "not_ready"
