"""Batch extraction in worker processes (``--workers``), against a loopback fake endpoint."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from claimstance.batch.engine import extraction_ids, run_batch
from claimstance.batch.manifest import ERRORS, EXTRACTIONS, iter_jsonl
from claimstance.batch.workers import WorkerPool
from claimstance.cli import app
from claimstance.config import Settings
from claimstance.errors import ConfigError, WorkerPoolBroken
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article
from tests.support.batch_fakes import TARGET, grounded, make_articles, write_jsonl
from tests.support.fake_llm import FakeLLM, article_in, loopback
from tests.support.paths import ROOT, SEEDS


@pytest.fixture
def endpoint() -> Iterator[tuple[FakeLLM, str]]:
    fake = FakeLLM(grounded)
    with loopback(fake) as base_url:
        yield fake, base_url


def run_job(settings: Settings, articles: list[Article], out: Path, **kwargs: Any) -> Any:
    async def go() -> Any:
        with Extractor(settings) as extractor:
            try:
                return await run_batch(articles, out, extractor, targets=[TARGET], **kwargs)
            finally:
                await extractor.aclose()

    return asyncio.run(go())


def claims_by_article(out: Path) -> dict[str, Any]:
    return {r["article_id"]: r["claims"] for r in iter_jsonl(out / EXTRACTIONS)}


def test_workers_write_what_one_process_writes(
    make_settings: Callable[..., Settings], endpoint: tuple[FakeLLM, str], tmp_path: Path
) -> None:
    fake, base_url = endpoint
    settings = make_settings(base_url=base_url, cache_enabled=False)
    articles = make_articles(40, seed_dir=SEEDS)
    one = run_job(settings, articles, tmp_path / "one", concurrency=8)
    sent = len(fake.requests)
    two = run_job(settings, articles, tmp_path / "two", concurrency=8, workers=2)
    assert two.stats.done == one.stats.done == 40 and two.stats.failed == 0
    assert two.stats.prompt_tokens == one.stats.prompt_tokens > 0
    assert len(fake.requests) == 2 * sent
    assert claims_by_article(tmp_path / "two") == claims_by_article(tmp_path / "one")
    assert sorted(extraction_ids(tmp_path / "two")) == sorted(a.id for a in articles)
    # Resuming the finished job in workers skips everything.
    again = run_job(settings, articles, tmp_path / "two", concurrency=8, workers=2)
    assert again.stats.skipped == 40 and len(fake.requests) == 2 * sent


def test_a_failing_article_is_isolated_in_a_worker(
    make_settings: Callable[..., Settings], endpoint: tuple[FakeLLM, str], tmp_path: Path
) -> None:
    _, base_url = endpoint
    settings = make_settings(base_url=base_url, cache_enabled=False)
    articles = [*make_articles(5, seed_dir=SEEDS), Article(id="denied", text="FAIL401 “no”.")]
    summary = run_job(settings, articles, tmp_path / "job", concurrency=4, workers=2)
    assert (summary.stats.done, summary.stats.failed) == (5, 1)
    [error] = iter_jsonl(tmp_path / "job" / ERRORS)
    assert error["article_id"] == "denied" and error["error"]["code"] == "provider"


class Blocking:
    """Holds requests for articles containing ``marker`` until released."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.arrived = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, request: dict[str, Any]) -> dict[str, Any] | httpx.Response:
        if self.marker in article_in(request):
            self.arrived.release()
            self.release.wait(30)
        return grounded(request)


def kill_children(pool: WorkerPool) -> None:
    for child in pool._slots:
        if child is not None and child.proc.returncode is None:
            child.proc.kill()


async def wait_for(semaphore: threading.Semaphore) -> None:
    assert await asyncio.to_thread(semaphore.acquire, True, 30)


def test_a_dead_worker_costs_no_article(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    blocking = Blocking("HOLD")
    [article] = make_articles(1, seed_dir=SEEDS)
    held = Article(id="held", text=f"HOLD\n{article.text}")
    with loopback(FakeLLM(blocking)) as base_url:
        settings = make_settings(base_url=base_url, cache_enabled=False)

        async def go() -> tuple[Any, Any]:
            async with WorkerPool(settings, workers=2, concurrency=4) as pool:
                first = asyncio.create_task(pool.run(held, []))
                await wait_for(blocking.arrived)
                kill_children(pool)  # the held article is sent again, to a fresh worker
                await wait_for(blocking.arrived)
                blocking.release.set()
                survived = await first
                blocking.release.clear()
                second = asyncio.create_task(pool.run(held, []))
                for _ in range(2):  # dies twice: recorded as failed
                    await wait_for(blocking.arrived)
                    kill_children(pool)
                died = await second
                blocking.release.set()
                return survived, died

        survived, died = asyncio.run(go())
    assert not survived.is_error and survived.article_id == "held"
    assert died.is_error and '"worker_crashed"' in died.line


def test_workers_need_an_endpoint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--workers needs an endpoint"):
        WorkerPool(Settings.from_env({}, cache_dir=tmp_path), workers=2, concurrency=4)


def worker_pids(parent: int) -> list[int]:
    """Live batch worker processes whose parent is ``parent``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == parent and b"claimstance.batch.workers" in cmdline:
                pids.append(int(entry.name))
    return pids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stop", ["kill -9 of the parent", "Ctrl-C"])
def test_a_stopped_job_leaves_no_workers_and_resumes_exactly_once(
    endpoint: tuple[FakeLLM, str], tmp_path: Path, stop: str
) -> None:
    _, base_url = endpoint
    articles = make_articles(60, seed_dir=SEEDS)
    source = write_jsonl(articles, tmp_path / "in.jsonl")
    out = tmp_path / "job"
    command = [
        sys.executable, "-m", "claimstance.cli", "batch", str(source), "--out", str(out),
        "--base-url", base_url, "--model", "fake-model", "--no-cache", "--quiet",
        "--concurrency", "4", "--workers", "2", "-t", TARGET,
    ]  # fmt: skip
    env = {**os.environ, "OPENAI_API_KEY": "sk-test", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        (out / EXTRACTIONS).exists() and len(extraction_ids(out)) >= 5
    ):
        time.sleep(0.01)
    children = worker_pids(proc.pid)
    assert len(children) == 2
    if stop == "Ctrl-C":  # the terminal signals the whole process group
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    else:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(map(alive, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(alive, children))
    assert len(extraction_ids(out)) < len(articles)
    final = subprocess.run(command, cwd=ROOT, env=env, timeout=120, check=False)
    assert final.returncode == 0
    counts = collections.Counter(extraction_ids(out))
    assert sorted(counts) == sorted(a.id for a in articles) and set(counts.values()) == {1}


def test_workers_that_cannot_start_stop_the_run_with_a_clear_error(
    make_settings: Callable[..., Settings],
    endpoint: tuple[FakeLLM, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, base_url = endpoint
    settings = make_settings(base_url=base_url, cache_enabled=False)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # every worker exits at once
    with pytest.raises(WorkerPoolBroken, match="in a row died without finishing an article"):
        run_job(settings, make_articles(10, seed_dir=SEEDS), tmp_path / "job", workers=2)
    # Nothing is blamed on the articles: a fixed setup resumes them all.
    assert not (tmp_path / "job" / EXTRACTIONS).read_text()
    assert not (tmp_path / "job" / ERRORS).read_text()


@pytest.mark.parametrize("mode", ["--ray", "--provider-batch"])
def test_workers_do_not_combine_with_other_engines(tmp_path: Path, mode: str) -> None:

    source = write_jsonl(make_articles(1, seed_dir=SEEDS), tmp_path / "in.jsonl")
    args = ["batch", str(source), "--out", str(tmp_path / "job"), "--workers", "2", mode]
    args += ["--base-url", "http://127.0.0.1:9/v1"]
    result = CliRunner().invoke(app, args, env={"OPENAI_API_KEY": "sk-test"})
    assert result.exit_code == 2 and f"--workers cannot be used with {mode}" in result.output
