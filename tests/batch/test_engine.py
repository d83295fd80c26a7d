"""The batch engine against in-process fakes: resume, exactly-once, failures, budget, tables."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import respx
from typer.testing import CliRunner

from claimstance.batch.engine import extraction_ids, run_batch
from claimstance.batch.manifest import EXTRACTIONS, iter_jsonl
from claimstance.batch.stats import BatchSummary, price_for
from claimstance.cli import app
from claimstance.config import Settings
from claimstance.errors import EXIT_BUDGET, EXIT_FAILED, EXIT_OK, ConfigError, InputError
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article, Extraction
from tests.support.batch_fakes import TARGET, SlowFake, grounded, make_articles, write_jsonl
from tests.support.batch_worker import worker_command
from tests.support.fake_llm import BASE_URL, FakeLLM
from tests.support.paths import ROOT, SEEDS

Items = list[Article | InputError]


def run(
    settings: Settings,
    items: Items | Callable[[], Any],
    out: Path,
    fake: SlowFake | None = None,
    **kwargs: Any,
) -> BatchSummary:
    fake = fake or SlowFake()

    async def go() -> BatchSummary:
        extractor = Extractor(settings, http_client_factory=fake.client)
        try:
            source = items() if callable(items) else items
            return await run_batch(source, out, extractor, **kwargs)
        finally:
            await extractor.aclose()
            extractor.close()

    return asyncio.run(go())


def lines(out: Path, name: str = EXTRACTIONS) -> list[dict[str, Any]]:
    return list(iter_jsonl(out / name))


def test_seeds_end_to_end_tables_and_resume(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    out = tmp_path / "job"
    fake = SlowFake()
    settings = make_settings()
    summary = run(settings, lambda: read_articles([str(SEEDS)]), out, fake, targets=[TARGET])
    assert summary.exit_code == EXIT_OK and summary.stats.done == 5
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    records = lines(out)
    assert sorted(r["article_id"] for r in records) == sorted(texts)
    for record in records:
        Extraction.model_validate(record, context={"text": texts[record["article_id"]]})
    claims = sum(len(r["claims"]) for r in records)
    assert claims > 0 and summary.claim_rows == claims
    table = pq.read_table(out / "claims.parquet")
    assert table.num_rows == claims
    row = table.slice(0, 1).to_pylist()[0]
    text = texts[row["article_id"]]
    assert text[row["quote_start"] : row["quote_end"]] == row["quote"]
    assert row[f"stance[{TARGET}]"] == "neutral" and row["speaker"] == "Someone Important"
    csv_lines = (out / "claims.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == claims + 1 and f'"stance[{TARGET}]"' in csv_lines[0]
    job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    assert job["targets"] == [TARGET] and job["prompt_version"] == "article@1"
    saved = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert saved["run"]["done"] == 5 and saved["job"]["prompt_tokens"] == 100 * len(fake.requests)
    # Re-running skips every finished article: no request, nothing appended.
    calls = len(fake.requests)
    again = run(settings, lambda: read_articles([str(SEEDS)]), out, fake, targets=[TARGET])
    assert again.stats.skipped == 5 and again.stats.done == 0
    assert len(fake.requests) == calls and len(lines(out)) == 5
    assert pq.read_table(out / "claims.parquet").num_rows == claims


def test_other_parameters_are_refused_unless_forced(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    out = tmp_path / "job"
    items: Items = list(make_articles(2, seed_dir=SEEDS))
    run(make_settings(), items, out)
    with pytest.raises(ConfigError, match="model: job has 'fake-model', this run 'other'"):
        run(make_settings(model="other"), items, out)
    with pytest.raises(ConfigError, match="targets"):
        run(make_settings(), items, out, targets=["x"])
    forced = run(make_settings(model="other"), items, out, force=True)
    assert forced.stats.skipped == 2
    assert json.loads((out / "job.json").read_text())["history"][0]["model"] == "fake-model"


def test_torn_last_line_is_cut_and_redone(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    out = tmp_path / "job"
    articles = make_articles(4, seed_dir=SEEDS)
    run(make_settings(), list(articles[:2]), out)
    good = (out / EXTRACTIONS).read_bytes()
    torn = json.dumps({"schema_version": "1.0", "article_id": articles[2].id})[:-7]
    (out / EXTRACTIONS).write_bytes(good + torn.encode())  # killed mid-write
    summary = run(make_settings(), list(articles), out)
    assert summary.stats.skipped == 2 and summary.stats.done == 2
    ids = extraction_ids(out)
    assert sorted(ids) == sorted(a.id for a in articles)
    assert (out / EXTRACTIONS).read_bytes().startswith(good)


def test_kill_9_at_any_point_then_resume_holds_every_article_once(tmp_path: Path) -> None:
    articles = make_articles(80, seed_dir=SEEDS)
    source = write_jsonl(articles, tmp_path / "in.jsonl")
    out = tmp_path / "job"
    command, env = worker_command(source, out)
    progress: list[int] = []
    for extra in (0.0, 0.05, 0.13, 0.21):  # kill at different moments after writing starts
        before = len(lines(out)) if (out / EXTRACTIONS).exists() else 0
        proc = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / EXTRACTIONS).exists() and len(lines(out)) > before:
                time.sleep(extra)
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        progress.append(len(lines(out)))
    assert 0 < progress[0] < len(articles), progress  # killed mid-job, not after it
    final = subprocess.run(command, cwd=ROOT, env=env, timeout=120, check=False)
    assert final.returncode == 0
    counts = collections.Counter(extraction_ids(out))
    assert sorted(counts) == sorted(a.id for a in articles)
    assert set(counts.values()) == {1}
    assert (out / EXTRACTIONS).read_bytes().endswith(b"\n")
    assert pq.read_table(out / "claims.parquet").num_rows == sum(
        len(r["claims"]) for r in lines(out)
    )


def test_failures_are_isolated_typed_and_retried(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Title\nShe said “all is fine here”.", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin.txt").write_bytes("Titre\nIl a dit « très ».".encode("latin-1"))
    (folder / "denied.txt").write_text("Title\nFAIL401 “no access for this one”.", "utf-8")
    out = tmp_path / "job"
    summary = run(make_settings(), lambda: read_articles([str(folder)]), out)
    assert summary.exit_code == EXIT_FAILED
    assert summary.stats.done == 1 and summary.stats.failed == 3
    assert extraction_ids(out) == ["good"]
    errors = {(e["article_id"] or e["source"]): e["error"] for e in lines(out, "errors.jsonl")}
    assert errors["denied"]["type"] == "ProviderError"
    assert errors["denied"]["status_code"] == 401 and errors["denied"]["retryable"] is False
    inputs = [e for k, e in errors.items() if k != "denied"]
    assert {e["code"] for e in inputs} == {"input"}
    assert any("empty" in e["message"] for e in inputs)
    # A plain re-run skips the failed article (and still exits 1); --retry-failed re-runs
    # it and, once it succeeds, it leaves errors.jsonl.
    again = run(make_settings(), lambda: read_articles([str(folder)]), out)
    assert again.stats.skipped == 2 and again.exit_code == EXIT_FAILED
    (folder / "denied.txt").write_text("Title\nNow “access is granted again”.", "utf-8")
    (folder / "empty.txt").unlink()
    (folder / "latin.txt").unlink()
    retried = run(make_settings(), lambda: read_articles([str(folder)]), out, retry_failed=True)
    assert retried.stats.done == 1 and retried.stats.skipped == 1
    assert retried.exit_code == EXIT_OK
    assert sorted(extraction_ids(out)) == ["denied", "good"]
    assert lines(out, "errors.jsonl") == []


def test_budget_stops_cleanly_with_whole_records(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    out = tmp_path / "job"
    articles = make_articles(8, seed_dir=SEEDS)
    fake = SlowFake(delay=0.01)
    # The fake charges 120 tokens per call; an article makes one or two calls.
    summary = run(make_settings(), list(articles), out, fake, budget_tokens=400, concurrency=4)
    assert summary.stopped == "budget" and summary.exit_code == EXIT_BUDGET
    records = lines(out)
    assert 1 <= len(records) <= 3 and summary.stats.tokens <= 400
    assert (out / EXTRACTIONS).read_bytes().endswith(b"\n")
    assert len((out / EXTRACTIONS).read_text().splitlines()) == len(records)
    # More budget finishes the job; the budget counts the whole job.
    done = run(make_settings(), list(articles), out, fake, budget_tokens=10_000)
    assert done.exit_code == EXIT_OK and len(lines(out)) == 8
    assert done.job_prompt_tokens + done.job_completion_tokens == 120 * len(fake.requests)


def test_duplicate_ids(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    [a, b] = make_articles(2, seed_dir=SEEDS)
    clash = Article(id=a.id, text=b.text)
    out = tmp_path / "job"
    summary = run(make_settings(), [a, b, a, clash], out)
    assert extraction_ids(out).count(a.id) == 1 and len(lines(out)) == 2
    assert summary.stats.duplicates == 1
    [error] = lines(out, "errors.jsonl")
    assert error["error"]["code"] == "input" and "already used" in error["error"]["message"]
    assert summary.exit_code == EXIT_FAILED


def test_cache_hits_and_cost_are_accounted(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:

    articles: Items = list(make_articles(3, seed_dir=SEEDS))
    settings = make_settings(cache_enabled=True)
    price = price_for("gpt-4o-mini")
    assert price is not None and price.input == 0.15
    first = run(settings, articles, tmp_path / "one", price=price)
    assert first.stats.calls == 3 and first.cost == pytest.approx(3 * (100 * 0.15 + 20 * 0.6) / 1e6)
    second = run(settings, articles, tmp_path / "two", price=price)
    assert second.stats.cached == 3 and second.stats.calls == 0 and second.cost == 0
    assert second.stats.cached_calls == 3
    assert price_for("gpt-4o-mini-2024-07-18") == price
    assert price_for("unknown-model") is None
    assert price_for("unknown-model", price_in=1.0, price_out=2.0) is not None


def test_cli_batch_exit_codes_and_summary(tmp_path: Path) -> None:

    folder = tmp_path / "in"
    folder.mkdir()
    for article in make_articles(3, seed_dir=SEEDS):
        (folder / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
    (folder / "denied.txt").write_text("Title\nFAIL401 “no access here”.", "utf-8")
    out = tmp_path / "job"
    env = {"OPENAI_API_KEY": "sk-test", "CLAIMSTANCE_CACHE_DIR": str(tmp_path / "cache")}
    args = [
        "batch",
        str(folder),
        "--out",
        str(out),
        "--base-url",
        BASE_URL,
        "--model",
        "gpt-4o-mini",
        "--concurrency",
        "4",
        "-t",
        TARGET,
    ]
    fake = FakeLLM(grounded)
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{BASE_URL}/chat/completions").mock(side_effect=fake)
        result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
        assert result.exit_code == EXIT_FAILED, result.output
        assert "3 done (0 cached), 1 failed" in result.output and "$0.0" in result.output
        assert "errors.jsonl" in result.output
        summary = json.loads((out / "summary.json").read_text())
        # Every request the endpoint received is counted, the failed article's 401 too.
        assert summary["cost_usd"] > 0 and summary["run"]["calls"] == len(fake.requests)
        # Another model into the same directory is refused with exit code 2.
        other_args = [("other" if a == "gpt-4o-mini" else a) for a in args]
        other = CliRunner().invoke(app, other_args, env=env)
        assert other.exit_code == 2 and "--force" in other.output
        # A budget smaller than one article stops after the first one (the probe that
        # shows what an article costs): exit code 3, one whole record.
        fresh = [(str(tmp_path / "job2") if a == str(out) else a) for a in args]
        fresh += ["--budget-tokens", "1", "--no-cache"]
        budget = CliRunner().invoke(app, fresh, env=env, catch_exceptions=False)
        assert budget.exit_code == 3 and "token budget" in budget.output
        assert len(lines(tmp_path / "job2")) == 1


def test_sigterm_stops_a_run_as_ctrl_c_does(tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from claimstance.batch.job import sigterm_as_interrupt\n"
        "async def job():\n"
        "    print('ready', flush=True)\n"
        "    try:\n"
        "        await asyncio.sleep(30)\n"
        "    except asyncio.CancelledError:\n"
        "        print('cancelled cleanly', flush=True)\n"
        "        raise\n"
        "try:\n"
        "    with sigterm_as_interrupt():\n"
        "        asyncio.run(job())\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130 and b"cancelled cleanly" in rest
