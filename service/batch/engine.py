"""The batch engine: many articles through one configuration, resumable and exactly-once.

Shape: one producer streams articles from the reader into a bounded queue; a fixed pool
of ``concurrency`` tasks takes them and turns each into its record, with the Extractor
in this process or in worker processes (``workers``); a single writer
appends finished records to ``extractions.jsonl`` / ``errors.jsonl`` in group commits
(one write and one fsync per batch of lines that accumulated while the previous write was
in flight). Memory is flat in the number of articles except for the set of ids seen.

Exactly once (see :mod:`claimstance.batch.manifest`): records are whole lines appended by one
writer that holds the directory lock; a torn last line is cut off on start; ids in the
file are never dispatched again, and ids are dispatched at most once per run. So after
``kill -9`` at any point, re-running the same command completes the job with every
article in ``extractions.jsonl`` (or ``errors.jsonl``) exactly once.

Budget: before admitting an article the producer checks that the tokens already spent by
the job plus the average tokens of a non-cached article for every article in flight and
this one stay within ``budget_tokens``; until one article has shown its cost, articles go
one at a time. In-flight articles always finish and are written whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimstance.batch.extractor import MAX_CONCURRENCY
from claimstance.batch.manifest import (
    ERRORS,
    EXTRACTIONS,
    SUMMARY,
    AppendLog,
    DirectoryLock,
    JobState,
    check_job,
    error_key,
    iter_jsonl,
    load_state,
    rewrite_errors,
    write_json_atomic,
)
from claimstance.batch.outcome import Outcome, extract_outcome, input_failure
from claimstance.batch.progress import NullReporter, Reporter
from claimstance.batch.stats import BatchStats, BatchSummary, Price
from claimstance.batch.tables import rebuild_tables
from claimstance.batch.workers import WorkerPool
from claimstance.errors import InputError
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import SCHEMA_VERSION, Article

#: Turns one article into its record: in this process or in a worker process.
Runner = Callable[[Article, list[str]], Awaitable[Outcome]]


def job_params(extractor: Extractor, targets: Sequence[str]) -> dict[str, Any]:
    settings = extractor.settings
    return {
        "strategy": extractor.strategy,
        "model": settings.resolved_model,
        "endpoint": settings.endpoint_family,
        "targets": list(targets),
        "prompt_version": extractor.prompt_version(),
        "schema_version": SCHEMA_VERSION,
        "llm_mode": settings.llm_mode,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
    }


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


@dataclass
class _Run:
    """Shared state of one run (single event loop, so no locks)."""

    out_dir: Path
    state: JobState
    stats: BatchStats
    reporter: Reporter
    budget_tokens: int | None
    committed: int = 0  # admitted and not yet written
    stopped: str = "complete"
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def spent(self) -> int:
        return self.state.prompt_tokens + self.state.completion_tokens + self.stats.tokens

    def estimate(self) -> float | None:
        paid = self.state.paid + self.stats.paid_articles
        return self.spent() / paid if paid else None

    async def admit(self) -> bool:
        """Whether the budget allows one more article; waits for a first estimate."""
        if self.budget_tokens is None:
            return True
        while True:
            if self.spent() >= self.budget_tokens:
                return False
            average = self.estimate()
            if average is not None:
                return self.spent() + average * (self.committed + 1) <= self.budget_tokens
            if self.committed == 0:
                return True  # the probe: one article at a time until the cost is known
            self.changed.clear()
            await self.changed.wait()


async def run_batch(
    inputs: Iterable[Article | InputError],
    out_dir: Path,
    extractor: Extractor,
    *,
    targets: Sequence[str] = (),
    concurrency: int = 8,
    budget_tokens: int | None = None,
    retry_failed: bool = False,
    force: bool = False,
    progress: Reporter | None = None,
    price: Price | None = None,
    total: int | None = None,
    count: Callable[[], int | None] | None = None,
    fsync: bool = True,
    workers: int = 1,
) -> BatchSummary:
    """Extract every article of ``inputs`` into ``out_dir``; see the module docstring.

    ``count`` (run in a thread) may supply the number of input articles for the progress
    display while the run is already under way. ``workers`` > 1 extracts in that many
    worker processes (:mod:`claimstance.batch.workers`), which share ``concurrency``; this
    process still reads, admits, writes and accounts for every article.
    """
    wanted = [t.strip() for t in targets if t.strip()]
    out_dir.mkdir(parents=True, exist_ok=True)
    reporter = progress or NullReporter()
    with DirectoryLock(out_dir):
        state = open_job(out_dir, job_params(extractor, wanted), force=force)
        run = _Run(
            out_dir=out_dir,
            state=state,
            stats=BatchStats(total=total),
            reporter=reporter,
            budget_tokens=budget_tokens,
        )
        extractions = AppendLog(out_dir / EXTRACTIONS, fsync=fsync)
        errors = AppendLog(out_dir / ERRORS, fsync=fsync)
        counting = asyncio.create_task(_count(run.stats, count)) if count else None
        try:
            async with _runner(extractor, workers, concurrency) as runner:
                await _pipeline(
                    run, inputs, runner, wanted, concurrency, retry_failed, extractions, errors
                )
        finally:
            extractions.close()
            errors.close()
            if counting is not None:
                counting.cancel()
        summary = finish_job(
            out_dir,
            state,
            run.stats,
            stopped=run.stopped,
            model=extractor.settings.resolved_model,
            targets=wanted,
            price=price,
            budget_tokens=budget_tokens,
        )
    reporter.finish(summary)
    return summary


@contextlib.asynccontextmanager
async def _runner(extractor: Extractor, workers: int, concurrency: int) -> AsyncIterator[Runner]:
    if workers <= 1:
        yield functools.partial(extract_outcome, extractor)
        return
    async with WorkerPool(extractor.settings, workers=workers, concurrency=concurrency) as pool:
        yield pool.run


async def _pipeline(
    run: _Run,
    inputs: Iterable[Article | InputError],
    runner: Runner,
    targets: list[str],
    concurrency: int,
    retry_failed: bool,
    extractions: AppendLog,
    errors: AppendLog,
) -> None:
    workers_count = max(1, min(concurrency, MAX_CONCURRENCY))
    articles: asyncio.Queue[Article | None] = asyncio.Queue(maxsize=workers_count * 2)
    results: asyncio.Queue[Outcome | None] = asyncio.Queue()

    async def produce() -> None:
        seen: dict[str, bytes] = {}
        for index, item in enumerate(inputs):
            if isinstance(item, InputError):
                await results.put(input_failure(item))
                continue
            digest = _digest(item.text)
            previous = seen.get(item.id)
            if previous is not None:
                if previous == digest:
                    run.stats.duplicates += 1
                else:
                    error = InputError(
                        f"article id {item.id!r} is already used by a different article; "
                        "give each article a unique id",
                        source=f"input #{index + 1} (id {item.id})",
                    )
                    await results.put(input_failure(error))
                continue
            seen[item.id] = digest
            if run.state.skips(item.id, retry_failed):
                run.stats.skipped += 1
                run.reporter.update(run.stats)
                continue
            if not await run.admit():
                run.stopped = "budget"
                return
            run.committed += 1
            await articles.put(item)

    async def work() -> None:
        while (article := await articles.get()) is not None:
            run.stats.in_flight += 1
            try:
                outcome = await runner(article, targets)
            finally:
                run.stats.in_flight -= 1
            await results.put(outcome)

    async def write() -> None:
        finished = False
        while not finished:
            batch = [await results.get()]
            while not results.empty():
                batch.append(results.get_nowait())
            finished = None in batch
            outcomes = [o for o in batch if o is not None]
            good = [o.line for o in outcomes if not o.is_error]
            bad = [o.line for o in outcomes if o.is_error]
            await asyncio.shield(asyncio.to_thread(_append, extractions, good, errors, bad))
            for o in outcomes:
                _account(run, o)
            run.reporter.update(run.stats)
            run.changed.set()

    async def feed() -> None:
        await producer
        for _ in workers:
            await articles.put(None)

    writer = asyncio.create_task(write())
    producer = asyncio.create_task(produce())
    workers = [asyncio.create_task(work()) for _ in range(workers_count)]
    feeder = asyncio.create_task(feed())
    tasks = (feeder, producer, *workers)
    try:
        # The first failure stops the rest: the reader failed, or the worker processes
        # broke (per-article failures are outcomes, not exceptions).
        await asyncio.gather(feeder, *workers)
    except asyncio.CancelledError:
        run.stopped = "interrupted"
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    except BaseException:  # stop the workers, keep the records written so far
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        await results.put(None)
        await asyncio.gather(writer, return_exceptions=True)


def _append(extractions: AppendLog, good: list[str], errors: AppendLog, bad: list[str]) -> None:
    extractions.append(good)
    errors.append(bad)


def _account(run: _Run, outcome: Outcome) -> None:
    stats = run.stats
    if outcome.article_id is not None:
        run.committed -= 1
    if outcome.usage is not None:
        stats.add_usage(outcome.usage)
    if outcome.is_error:
        stats.failed += 1
    else:
        stats.done += 1
        stats.cached += outcome.cached
        if outcome.article_id is not None:
            run.state.done.add(outcome.article_id)


async def _count(stats: BatchStats, count: Callable[[], int | None]) -> None:
    stats.total = await asyncio.to_thread(count)


def open_job(out_dir: Path, params: dict[str, Any], *, force: bool) -> JobState:
    """Check or create job.json, recover the logs and read what is done and failed.

    Input errors are re-evaluated on every run (reading is cheap and deterministic);
    article failures carry over until they succeed.
    """
    check_job(out_dir, params, force=force)
    state = load_state(out_dir)
    carried = [r for key, r in state.failed.items() if key.startswith("article:")]
    rewrite_errors(out_dir, carried)
    state.failed = {error_key(r): r for r in carried}
    return state


def finish_job(
    out_dir: Path,
    state: JobState,
    stats: BatchStats,
    *,
    stopped: str,
    model: str,
    targets: Sequence[str],
    price: Price | None,
    budget_tokens: int | None = None,
) -> BatchSummary:
    """Compact errors.jsonl, rebuild the tables, write summary.json."""
    latest: dict[str, dict[str, Any]] = {}
    for record in iter_jsonl(out_dir / ERRORS):
        if record.get("article_id") not in state.done:
            latest[error_key(record)] = record
    rewrite_errors(out_dir, list(latest.values()))
    summary = BatchSummary(
        out_dir=str(out_dir),
        model=model,
        stats=stats,
        stopped=stopped,
        job_failed=len(latest),
        job_done=len(state.done),
        job_prompt_tokens=state.prompt_tokens + stats.prompt_tokens,
        job_completion_tokens=state.completion_tokens + stats.completion_tokens,
        price=price,
        budget_tokens=budget_tokens,
    )
    if stopped != "interrupted":  # an interrupted run leaves the tables to the next one
        summary.claim_rows = rebuild_tables(out_dir, targets)
    write_json_atomic(out_dir / SUMMARY, summary.to_dict())
    return summary


def extraction_ids(out_dir: Path) -> list[str]:
    """Article ids in ``extractions.jsonl``, in file order (for checks and tests)."""
    return [str(r["article_id"]) for r in iter_jsonl(out_dir / EXTRACTIONS)]
