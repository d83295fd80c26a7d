"""Jobs of the HTTP service: many articles run in the background by the batch engine.

Each job is a directory under ``STATE_DIR/jobs/<id>/``: ``input.jsonl`` (the articles as
submitted), ``service-job.json`` (status, targets, strategy: rewritten atomically), the
batch engine's own files (``extractions.jsonl``, ``errors.jsonl``, ``job.json``,
``summary.json``, the claim tables) and ``progress.json`` (live counters, rewritten about
once a second). Everything a status request needs is on disk, so any server process
(``--workers``) can answer it, and a restarted server finds its jobs again: unfinished
ones are resumed, and the engine's exactly-once log means finished articles are not done
twice. The engine's directory lock makes one process the runner of a job; a cancel from
another process is a ``cancel`` file that the runner sees within half a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from claimstance.batch.engine import run_batch
from claimstance.batch.manifest import ERRORS, EXTRACTIONS, SUMMARY, write_json_atomic
from claimstance.batch.stats import BatchStats, BatchSummary, Price
from claimstance.batch.tables import CSV, PARQUET, rebuild_tables
from claimstance.errors import JobLocked, NotFound
from claimstance.inputs import read_jsonl_file
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Usage

log = logging.getLogger("uvicorn.error.claimstance")  # shown where uvicorn logs

JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
UNFINISHED: tuple[JobStatus, ...] = ("queued", "running")
RECORD = "service-job.json"
INPUT = "input.jsonl"
PROGRESS = "progress.json"
CANCEL = "cancel"
TABLES = {"parquet": PARQUET, "csv": CSV}
#: Seconds between the runner's progress writes and cancel checks.
TICK = 0.5


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class JobRecord(BaseModel):
    """What the service keeps about a job besides the engine's files."""

    id: str
    status: JobStatus = "queued"
    created: str = Field(default_factory=_now)
    updated: str = Field(default_factory=_now)
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


class _Reporter:
    """Keeps the engine's live stats for progress.json and passes new usage on."""

    def __init__(self, on_usage: Callable[[Usage], None]) -> None:
        self.stats: BatchStats | None = None
        self._on_usage = on_usage
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


class JobManager:
    """Creates, runs, resumes, cancels and describes jobs; one per server process."""

    def __init__(
        self,
        root: Path,
        extractor_for: Callable[[str | None], Extractor],
        *,
        concurrency: int = 8,
        price: Callable[[Extractor], Price | None] | None = None,
        on_usage: Callable[[Usage], None] | None = None,
    ) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._extractor_for = extractor_for
        self._concurrency = concurrency
        self._price = price or (lambda extractor: None)
        self._on_usage = on_usage or (lambda usage: None)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    # -- records ---------------------------------------------------------------------
    def _dir(self, job_id: str) -> Path:
        if not job_id or not all(c.isalnum() or c == "-" for c in job_id):
            raise NotFound(f"no job {job_id!r}")
        path = self.root / job_id
        if not (path / RECORD).is_file():
            raise NotFound(f"no job {job_id!r}")
        return path

    def record(self, job_id: str) -> JobRecord:
        return JobRecord.model_validate_json((self._dir(job_id) / RECORD).read_text("utf-8"))

    def _save(self, record: JobRecord) -> None:
        record = record.model_copy(update={"updated": _now()})
        write_json_atomic(self.root / record.id / RECORD, record.model_dump(mode="json"))

    def ids(self) -> list[str]:
        found = [p.parent for p in self.root.glob(f"*/{RECORD}")]
        return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime)]

    # -- lifecycle -------------------------------------------------------------------
    def submit(self, lines: list[bytes], *, targets: list[str], strategy: str | None) -> JobRecord:
        """A new job from JSONL lines (each an article object); it starts at once."""
        job_id = uuid.uuid4().hex[:16]
        path = self.root / job_id
        path.mkdir()
        with (path / INPUT).open("wb") as stream:
            for line in lines:
                stream.write(line.rstrip(b"\r\n") + b"\n")
        record = JobRecord(
            id=job_id,
            targets=targets,
            strategy=strategy,  # checked by the route
            articles=len(lines),
        )
        self._save(record)
        self.start(job_id)
        return record

    def start(self, job_id: str) -> None:
        if job_id not in self._tasks:
            task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
            self._tasks[job_id] = task
            task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    def resume(self) -> list[str]:
        """Start every unfinished job on disk (a restart); returns their ids."""
        resumed = []
        for job_id in self.ids():
            with contextlib.suppress(NotFound, ValueError):
                if self.record(job_id).status in UNFINISHED:
                    self.start(job_id)
                    resumed.append(job_id)
        return resumed

    def cancel(self, job_id: str) -> JobRecord:
        record = self.record(job_id)
        if record.status in UNFINISHED:
            (self._dir(job_id) / CANCEL).touch()
            record = record.model_copy(update={"status": "cancelled"})
            self._save(record)
            task = self._tasks.get(job_id)
            if task is not None:
                task.cancel()
        return self.record(job_id)

    async def shutdown(self) -> None:
        """Stop running jobs without marking them: the next start resumes them."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def states(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job_id in self.ids():
            with contextlib.suppress(NotFound, ValueError, OSError):
                status = self.record(job_id).status
                counts[status] = counts.get(status, 0) + 1
        return counts

    # -- running ---------------------------------------------------------------------
    async def _run(self, job_id: str) -> None:
        path = self._dir(job_id)
        record = self.record(job_id)
        if (path / CANCEL).exists():
            return
        extractor = self._extractor_for(record.strategy)
        reporter = _Reporter(self._on_usage)
        self._save(record.model_copy(update={"status": "running"}))
        batch = asyncio.create_task(
            run_batch(
                read_jsonl_file(path / INPUT, name="line"),
                path,
                extractor,
                targets=record.targets,
                concurrency=self._concurrency,
                progress=reporter,
                price=self._price(extractor),
                total=record.articles,
            )
        )
        watcher = asyncio.create_task(self._watch(path, batch, reporter))
        try:
            summary = await batch
        except asyncio.CancelledError:
            batch.cancel()
            await asyncio.gather(batch, return_exceptions=True)
            raise
        except JobLocked:
            log.info("job %s is run by another server process", job_id)
            return
        except Exception as e:  # the job stops; the service and the other jobs go on
            log.exception("job %s failed", job_id)
            self._fail(job_id, f"{type(e).__name__}: {e}")
            return
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            self._write_progress(path, reporter)
        if summary.stopped == "interrupted":  # the engine stops cleanly when cancelled
            if (path / CANCEL).exists():  # by a user: tables of what is done
                await asyncio.to_thread(rebuild_tables, path, record.targets)
            return  # by a shutdown: still "running", resumed at the next start
        if summary.stopped != "complete":
            self._fail(job_id, f"stopped: {summary.stopped}")
        elif self.record(job_id).status != "cancelled":
            self._save(self.record(job_id).model_copy(update={"status": "done"}))

    def _fail(self, job_id: str, message: str) -> None:
        self._save(self.record(job_id).model_copy(update={"status": "failed", "message": message}))

    async def _watch(self, path: Path, batch: asyncio.Task[Any], reporter: _Reporter) -> None:
        while not batch.done():
            await asyncio.sleep(TICK)
            if (path / CANCEL).exists():
                batch.cancel()
            self._write_progress(path, reporter)

    @staticmethod
    def _write_progress(path: Path, reporter: _Reporter) -> None:
        stats = reporter.stats
        if stats is None:
            return
        with contextlib.suppress(OSError):
            write_json_atomic(
                path / PROGRESS,
                {
                    "in_flight": stats.in_flight,
                    "cached": stats.cached,
                    "prompt_tokens": stats.prompt_tokens,
                    "completion_tokens": stats.completion_tokens,
                    "calls": stats.calls,
                    "at": time.time(),
                },
            )

    # -- reading ---------------------------------------------------------------------
    def view(self, job_id: str) -> JobView:
        path = self._dir(job_id)
        record = self.record(job_id)
        done = _count_lines(path / EXTRACTIONS)
        failed = _count_lines(path / ERRORS)
        live = _read_json(path / PROGRESS)
        summary = _read_json(path / SUMMARY)
        job = summary.get("job", {}) if isinstance(summary.get("job"), dict) else {}
        tokens = JobTokens(
            prompt=int(job.get("prompt_tokens", live.get("prompt_tokens", 0)) or 0),
            completion=int(job.get("completion_tokens", live.get("completion_tokens", 0)) or 0),
            calls=int(live.get("calls", 0) or 0),
        )
        total = max(record.articles, done + failed)
        running = record.status == "running"
        return JobView(
            id=record.id,
            status=record.status,
            created=record.created,
            updated=record.updated,
            targets=record.targets,
            strategy=record.strategy,
            counts=JobCounts(
                total=total,
                done=done,
                failed=failed,
                cached=int(live.get("cached", 0) or 0),
                in_flight=int(live.get("in_flight", 0) or 0) if running else 0,
            ),
            tokens=tokens,
            cost_usd=job.get("cost_usd"),
            progress=round((done + failed) / total, 4) if total else 1.0,
            message=record.message,
        )

    def results_path(self, job_id: str, fmt: str) -> Path:
        path = self._dir(job_id)
        return path / (EXTRACTIONS if fmt == "jsonl" else TABLES[fmt])

    def errors_path(self, job_id: str) -> Path:
        return self._dir(job_id) / ERRORS


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as stream:
            return sum(1 for line in stream if line.endswith(b"\n"))
    except FileNotFoundError:
        return 0


def _read_json(path: Path) -> dict[str, Any]:
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
