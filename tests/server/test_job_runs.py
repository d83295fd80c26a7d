"""How jobs run: figures across a restart, cancels, locks held elsewhere, the number of jobs
at once, their order, and file work kept off the event loop."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from typing import Any

import httpx

from claimstance.batch.manifest import DirectoryLock
from claimstance.batch.stats import price_for
from tests.support.batch_fakes import SlowFake, make_articles
from tests.support.paths import SEEDS
from tests.support.service import (
    job_on_disk,
    make_app,
    record_on_disk,
    running,
    service_settings,
    wait_for,
)

FINISHED = ("done", "failed", "cancelled")
NDJSON = {"Content-Type": "application/x-ndjson"}


def _lines(count: int, prefix: str = "a") -> list[str]:
    return [
        json.dumps({"id": a.id, "text": a.text})
        for a in make_articles(count, seed_dir=SEEDS, prefix=prefix)
    ]


def _body(count: int, prefix: str = "a") -> bytes:
    return ("\n".join(_lines(count, prefix)) + "\n").encode()


def _usage_sums(job_dir: Path) -> dict[str, int]:
    sums = {"prompt": 0, "completion": 0, "calls": 0}
    for line in (job_dir / "extractions.jsonl").read_text("utf-8").splitlines():
        usage = json.loads(line)["usage"]
        sums["prompt"] += usage["prompt_tokens"]
        sums["completion"] += usage["completion_tokens"]
        sums["calls"] += usage["calls"]
    return sums


def test_tokens_calls_and_cost_count_the_whole_job_across_a_restart(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.3)
    settings = service_settings(tmp_path, model="gpt-4o-mini")
    count = 24

    async def first_life() -> str:
        async with running(make_app(settings, fake.client)) as client:
            job_id = (await client.post("/v1/jobs", content=_body(count), headers=NDJSON)).json()[
                "id"
            ]
            status = await wait_for(
                client,
                job_id,
                lambda s: s["counts"]["done"] >= 8 and s["cost_usd"] is not None,
                timeout=8,
            )
            assert status["counts"]["done"] < count, "the cost is known while the job runs"
            assert status["status"] == "running" and status["cost_usd"] > 0
        return str(job_id)

    async def second_life(job_id: str, before: int) -> tuple[dict[str, Any], dict[str, Any]]:
        async with running(make_app(settings, fake.client)) as client:
            live = await wait_for(
                client,
                job_id,
                lambda s: (
                    s["status"] in FINISHED
                    or (s["status"] == "running" and s["tokens"]["prompt"] > before)
                ),
                timeout=15,
            )
            final = await wait_for(client, job_id, lambda s: s["status"] in FINISHED)
            return live, final

    job_id = asyncio.run(first_life())
    job_dir = tmp_path / "jobs" / job_id
    before = _usage_sums(job_dir)["prompt"]
    assert before > 0
    live, final = asyncio.run(second_life(job_id, before))
    assert live["status"] == "running", "the tokens of a resumed run grow while it runs"
    sums = _usage_sums(job_dir)
    assert final["status"] == "done" and final["counts"]["done"] == count
    assert final["tokens"] == sums
    price = price_for("gpt-4o-mini")
    assert price is not None
    assert final["cost_usd"] == round(price.cost(sums["prompt"], sums["completion"]), 6)


def test_a_cancel_file_wins_over_a_stale_running_record(tmp_path: Path) -> None:
    """A runner in another process wrote "running" over a DELETE it had not seen yet."""
    settings = service_settings(tmp_path)
    path = job_on_disk(tmp_path, _lines(2), status="running")
    (path / "cancel").touch()

    async def go(resume: bool) -> dict[str, Any]:
        app = make_app(settings, SlowFake().client, resume_jobs=resume)
        async with running(app) as client:
            status = (await client.get(f"/v1/jobs/{path.name}")).json()
            if resume:
                await asyncio.sleep(0.3)
            return dict(status)

    assert asyncio.run(go(resume=False))["status"] == "cancelled"
    asyncio.run(go(resume=True))
    assert record_on_disk(path).status == "cancelled", "saved, not resumed at every restart"


def test_a_locked_job_stays_queued_and_is_taken_over_when_its_lock_goes(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    path = job_on_disk(tmp_path, _lines(3))
    lock = DirectoryLock(path)  # another server process runs the job
    lock.__enter__()

    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        app = make_app(settings, SlowFake().client)
        app.state.service.jobs.lock_retry = 0.1
        async with running(app) as client:
            await asyncio.sleep(0.4)
            locked = (await client.get(f"/v1/jobs/{path.name}")).json()
            lock.__exit__()  # its owner died: the lock goes with its process
            final = await wait_for(client, path.name, lambda s: s["status"] in FINISHED, 10)
            return locked, final

    try:
        locked, final = asyncio.run(go())
    finally:
        lock.__exit__()
    assert locked["status"] == "queued", "a process that could not take the lock wrote nothing"
    assert final["status"] == "done" and final["counts"]["done"] == 3


def test_a_restart_with_another_default_strategy_resumes_the_job(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.3)

    async def first_life() -> dict[str, Any]:
        app = make_app(service_settings(tmp_path, strategy="article"), fake.client)
        async with running(app) as client:
            submitted = (await client.post("/v1/jobs", content=_body(30), headers=NDJSON)).json()
            return await wait_for(client, submitted["id"], lambda s: s["counts"]["done"] >= 1)

    async def second_life(job_id: str) -> dict[str, Any]:
        app = make_app(service_settings(tmp_path, strategy="guided"), fake.client)
        async with running(app) as client:
            return await wait_for(client, job_id, lambda s: s["status"] in FINISHED)

    first = asyncio.run(first_life())
    assert first["strategy"] == "article", "the strategy the job runs with, not None"
    final = asyncio.run(second_life(first["id"]))
    assert final["status"] == "done", final["message"]
    assert final["counts"]["done"] == 30


def test_at_most_two_jobs_run_at_once_the_rest_wait_queued(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.3)

    async def go() -> tuple[list[str], list[str]]:
        async with running(make_app(service_settings(tmp_path), fake.client)) as client:
            ids = []
            for n in range(4):
                response = await client.post("/v1/jobs", content=_body(3, f"j{n}-"), headers=NDJSON)
                ids.append(response.json()["id"])
            await asyncio.sleep(0.15)
            early = [(await client.get(f"/v1/jobs/{i}")).json()["status"] for i in ids]
            for job_id in ids:
                await wait_for(client, job_id, lambda s: s["status"] in FINISHED)
            final = [(await client.get(f"/v1/jobs/{i}")).json()["status"] for i in ids]
            return early, final

    early, final = asyncio.run(go())
    assert early == ["running", "running", "queued", "queued"]
    assert final == ["done"] * 4


def test_jobs_are_listed_in_submission_order(tmp_path: Path) -> None:
    async def go() -> tuple[list[str], list[str]]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            ids = []
            for n in range(3):
                response = await client.post("/v1/jobs", content=_body(1, f"o{n}-"), headers=NDJSON)
                ids.append(response.json()["id"])
                await wait_for(client, ids[-1], lambda s: s["status"] in FINISHED)
            first = tmp_path / "jobs" / ids[0]
            later = first.stat().st_mtime + 60
            for touched in (first, first / "service-job.json"):  # rewritten last
                os.utime(touched, (later, later))
            return ids, [job["id"] for job in (await client.get("/v1/jobs")).json()]

    submitted, listed = asyncio.run(go())
    assert listed == submitted


def test_a_job_cancelled_before_it_ran_has_an_empty_table(tmp_path: Path) -> None:
    path = job_on_disk(tmp_path, _lines(2), status="cancelled")
    (path / "cancel").touch()

    async def go() -> httpx.Response:
        app = make_app(service_settings(tmp_path), SlowFake().client)
        async with running(app) as client:
            return await client.get(f"/v1/jobs/{path.name}/results", params={"format": "csv"})

    table = asyncio.run(go())
    assert table.status_code == 200, table.text
    assert table.text.startswith('"article_id"') and len(table.text.splitlines()) == 1


def test_a_lone_surrogate_in_a_json_job_is_that_lines_input_error(tmp_path: Path) -> None:
    body = b'{"articles": [{"id": "s1", "text": "\\ud800"}, {"id": "ok", "text": "\xe2\x80\x9cFine,\xe2\x80\x9d she said."}]}'  # noqa: E501

    async def go() -> tuple[httpx.Response, dict[str, Any], str]:
        async with running(make_app(service_settings(tmp_path), SlowFake().client)) as client:
            submitted = await client.post(
                "/v1/jobs", content=body, headers={"Content-Type": "application/json"}
            )
            assert submitted.status_code == 202, submitted.text
            job_id = submitted.json()["id"]
            status = await wait_for(client, job_id, lambda s: s["status"] in FINISHED)
            return submitted, status, (await client.get(f"/v1/jobs/{job_id}/errors")).text

    _, status, errors = asyncio.run(go())
    assert status["status"] == "done"
    assert status["counts"] | {"cached": 0} == {
        "total": 2,
        "done": 1,
        "failed": 1,
        "cached": 0,
        "in_flight": 0,
    }
    [error] = [json.loads(line) for line in errors.splitlines()]
    assert error["error"]["code"] == "input" and error["source"] == "line:1"


def test_job_file_work_runs_off_the_event_loop(tmp_path: Path) -> None:
    app = make_app(service_settings(tmp_path), SlowFake().client)
    jobs = app.state.service.jobs
    threads: dict[str, set[int]] = {"create": set(), "view": set()}
    create, view = jobs._create, jobs.view

    def watched_create(*args: Any) -> Any:
        threads["create"].add(threading.get_ident())
        return create(*args)

    def watched_view(job_id: str) -> Any:
        threads["view"].add(threading.get_ident())
        return view(job_id)

    jobs._create, jobs.view = watched_create, watched_view

    async def go() -> int:
        async with running(app) as client:
            job_id = (await client.post("/v1/jobs", content=_body(2), headers=NDJSON)).json()["id"]
            await wait_for(client, job_id, lambda s: s["status"] in FINISHED)
            await client.get("/v1/jobs")
            await client.delete(f"/v1/jobs/{job_id}")
        return threading.get_ident()

    loop_thread = asyncio.run(go())
    assert threads["create"] and threads["view"]
    assert loop_thread not in threads["create"] | threads["view"]
