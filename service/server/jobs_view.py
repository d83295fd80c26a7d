"""A job's files and what ``GET /v1/jobs/{id}`` makes of them.

A job directory holds ``service-job.json`` (the :class:`JobRecord`), ``input.jsonl``, the
batch engine's own files and ``progress.json``: the job's figures so far (tokens, calls,
cached articles, cost), written by its runner about once a second. They are the whole job's
figures, not one run's: a run starts from what the previous run's ``progress.json`` (or
``summary.json``) said and adds its live stats, so a resumed job goes on counting. Reading a
view touches only files, so any server process can answer it; the routes call
:func:`read_view` in a thread (it counts the lines of the result logs).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from claimstance.batch.manifest import ERRORS, EXTRACTIONS, SUMMARY, write_json_atomic
from claimstance.batch.stats import BatchStats, BatchSummary, Price
from claimstance.batch.tables import CSV, PARQUET
from claimstance.schemas.models import Usage

JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
UNFINISHED: tuple[JobStatus, ...] = ("queued", "running")
RECORD = "service-job.json"
INPUT = "input.jsonl"
PROGRESS = "progress.json"
CANCEL = "cancel"
TABLES = {"parquet": PARQUET, "csv": CSV}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class JobRecord(BaseModel):
    """What the service keeps about a job besides the engine's files."""

    id: str
    status: JobStatus = "queued"
    created: str = Field(default_factory=now)
    updated: str = Field(default_factory=now)
    targets: list[str] = Field(default_factory=list)
    strategy: Literal["article", "guided"] | None = None
    articles: int = Field(0, description="Articles (input lines) submitted.")
    message: str | None = Field(None, description="Why a job failed, when it did.")


class JobCounts(BaseModel):
    total: int
    done: int = Field(description="Articles extracted (in extractions.jsonl).")
    failed: int = Field(description="Articles with an error (in errors.jsonl).")
    cached: int = Field(0, description="Done without any request, from the response cache.")
    in_flight: int = 0


class JobTokens(BaseModel):
    prompt: int = 0
    completion: int = 0
    calls: int = 0


class JobView(BaseModel):
    """``GET /v1/jobs/{id}``: where a job stands."""

    id: str
    status: JobStatus
    created: str
    updated: str
    targets: list[str]
    strategy: str | None
    counts: JobCounts
    tokens: JobTokens
    cost_usd: float | None = Field(None, description="At the price table's rates, if known.")
    progress: float = Field(description="Finished articles / submitted, 0 to 1.")
    message: str | None = None


@dataclass(frozen=True)
class Figures:
    """A job's cumulative figures (what progress.json holds besides in_flight)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    cached: int = 0

    def plus(self, stats: BatchStats) -> Figures:
        return Figures(
            prompt_tokens=self.prompt_tokens + stats.prompt_tokens,
            completion_tokens=self.completion_tokens + stats.completion_tokens,
            calls=self.calls + stats.calls,
            cached_calls=self.cached_calls + stats.cached_calls,
            cached=self.cached + stats.cached,
        )


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def previous_figures(path: Path) -> Figures:
    """The job's figures before this run: the last progress.json, else the summary.json
    of an earlier run, else nothing yet."""
    progress = read_json(path / PROGRESS)
    if progress:
        return Figures(
            prompt_tokens=_int(progress, "prompt_tokens"),
            completion_tokens=_int(progress, "completion_tokens"),
            calls=_int(progress, "calls"),
            cached_calls=_int(progress, "cached_calls"),
            cached=_int(progress, "cached"),
        )
    summary = read_json(path / SUMMARY)
    job, run = summary.get("job"), summary.get("run")
    job = job if isinstance(job, dict) else {}
    run = run if isinstance(run, dict) else {}
    return Figures(
        prompt_tokens=_int(job, "prompt_tokens"),
        completion_tokens=_int(job, "completion_tokens"),
        calls=_int(run, "calls"),
        cached_calls=_int(run, "cached_calls"),
        cached=_int(run, "cached"),
    )


class Progress:
    """The batch engine's reporter for one run of a job: keeps its live stats, passes new
    usage on (the metrics) and writes the job's figures to progress.json."""

    def __init__(self, path: Path, on_usage: Callable[[Usage], None], price: Price | None):
        self.path = path
        self.stats: BatchStats | None = None
        self._base = previous_figures(path)
        self._on_usage = on_usage
        self._price = price
        self._seen = Usage()

    def update(self, stats: BatchStats) -> None:
        self.stats = stats
        total = Usage(
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            calls=stats.calls,
            cached_calls=stats.cached_calls,
        )
        seen, self._seen = self._seen, total
        self._on_usage(
            Usage(
                prompt_tokens=total.prompt_tokens - seen.prompt_tokens,
                completion_tokens=total.completion_tokens - seen.completion_tokens,
                calls=total.calls - seen.calls,
                cached_calls=total.cached_calls - seen.cached_calls,
            )
        )

    def finish(self, summary: BatchSummary) -> None:
        self.update(summary.stats)

    def write(self) -> None:
        """progress.json, once this run has something to say."""
        stats = self.stats
        if stats is None:
            return
        figures = self._base.plus(stats)
        cost = None
        if self._price is not None:
            cost = round(self._price.cost(figures.prompt_tokens, figures.completion_tokens), 6)
        with contextlib.suppress(OSError):
            write_json_atomic(
                self.path / PROGRESS,
                {
                    "in_flight": stats.in_flight,
                    "cached": figures.cached,
                    "prompt_tokens": figures.prompt_tokens,
                    "completion_tokens": figures.completion_tokens,
                    "calls": figures.calls,
                    "cached_calls": figures.cached_calls,
                    "cost_usd": cost,
                    "at": time.time(),
                },
            )


def status_of(path: Path, record: JobRecord) -> JobStatus:
    """The record's status, except that a cancel file wins: a runner in another process
    may have written "running" over a cancel it had not seen yet."""
    return "cancelled" if (path / CANCEL).exists() else record.status


def read_view(path: Path, record: JobRecord) -> JobView:
    """The view of the job in ``path`` (blocking file work: call it in a thread)."""
    done = _count_lines(path / EXTRACTIONS)
    failed = _count_lines(path / ERRORS)
    live = read_json(path / PROGRESS)
    if live:
        tokens = JobTokens(
            prompt=_int(live, "prompt_tokens"),
            completion=_int(live, "completion_tokens"),
            calls=_int(live, "calls"),
        )
        cost = live.get("cost_usd")
    else:  # a job from before progress.json held the job's figures, or none yet
        figures = previous_figures(path)
        tokens = JobTokens(
            prompt=figures.prompt_tokens,
            completion=figures.completion_tokens,
            calls=figures.calls,
        )
        job = read_json(path / SUMMARY).get("job")
        cost = job.get("cost_usd") if isinstance(job, dict) else None
    status = status_of(path, record)
    total = max(record.articles, done + failed)
    return JobView(
        id=record.id,
        status=status,
        created=record.created,
        updated=record.updated,
        targets=record.targets,
        strategy=record.strategy,
        counts=JobCounts(
            total=total,
            done=done,
            failed=failed,
            cached=_int(live, "cached"),
            in_flight=_int(live, "in_flight") if status == "running" else 0,
        ),
        tokens=tokens,
        cost_usd=cost if isinstance(cost, int | float) else None,
        progress=round((done + failed) / total, 4) if total else 1.0,
        message=record.message,
    )


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as stream:
            return sum(1 for line in stream if line.endswith(b"\n"))
    except FileNotFoundError:
        return 0


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def iter_file(path: Path, chunk: int = 1 << 16) -> Iterator[bytes]:
    """A file's whole lines, streamed (a line being appended is left for the next read)."""
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return
    with stream:
        rest = b""
        while block := stream.read(chunk):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]
