"""Jobs of the HTTP service: many articles run in the background by the batch engine.

Each job is a directory under ``STATE_DIR/jobs/<id>/``: ``input.jsonl`` (the articles as
submitted), ``service-job.json`` (status, targets, strategy: rewritten atomically), the
batch engine's own files (``extractions.jsonl``, ``errors.jsonl``, ``job.json``,
``summary.json``, the claim tables) and ``progress.json`` (the job's figures so far,
rewritten about once a second; :mod:`claimstance.server.jobs_view`). Everything a status
request needs is on disk, so any server process (``--workers``) can answer it, and a
restarted server finds its jobs again: unfinished ones are resumed, and the engine's
exactly-once log means finished articles are not done twice.

At most :data:`MAX_RUNNING_JOBS` jobs run at once in a process; the others stay
``queued`` and start in submission order. The engine's directory lock makes one process the
runner of a job: a job is marked ``running`` only once its lock could be taken, and a
process that finds it taken tries again every :data:`LOCK_RETRY` seconds while the job is
unfinished (the lock goes with its owner's process). A cancel from another process is a
``cancel`` file that the runner sees within half a second; whenever that file exists the
job is, and is reported, ``cancelled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Literal

from claimstance.batch.engine import run_batch
from claimstance.batch.manifest import ERRORS, EXTRACTIONS, DirectoryLock, write_json_atomic
from claimstance.batch.stats import Price
from claimstance.batch.tables import rebuild_tables
from claimstance.errors import JobLocked, NotFound, NotReady
from claimstance.inputs import read_jsonl_file
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Usage
from claimstance.server.jobs_view import (
    CANCEL,
    INPUT,
    RECORD,
    TABLES,
    UNFINISHED,
    JobRecord,
    JobView,
    Progress,
    now,
    read_view,
    status_of,
)

log = logging.getLogger("uvicorn.error.claimstance")  # shown where uvicorn logs

#: Seconds between the runner's progress writes and cancel checks.
TICK = 0.5
#: Jobs one server process runs at once (each at the manager's ``concurrency``), so that
#: a burst of jobs does not starve ``/v1/extract``; the rest wait in submission order.
MAX_RUNNING_JOBS = 2
#: Seconds between tries at a job whose lock another process holds.
LOCK_RETRY = 3.0


class JobManager:
    """Creates, runs, resumes, cancels and describes jobs; one per server process."""

    def __init__(
        self,
        root: Path,
        extractor_for: Callable[[str | None], Extractor],
        *,
        concurrency: int = 8,
        max_running: int = MAX_RUNNING_JOBS,
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
        self.max_running = max_running
        self.lock_retry = LOCK_RETRY
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

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
        record = record.model_copy(update={"updated": now()})
        write_json_atomic(self.root / record.id / RECORD, record.model_dump(mode="json"))

    def _set(self, job_id: str, **changes: Any) -> None:
        self._save(self.record(job_id).model_copy(update=changes))

    def _records(self) -> list[JobRecord]:
        records = []
        for path in self.root.glob(f"*/{RECORD}"):
            with contextlib.suppress(OSError, ValueError):
                records.append(JobRecord.model_validate_json(path.read_text("utf-8")))
        return sorted(records, key=lambda r: (r.created, r.id))

    def ids(self) -> list[str]:
        """Every job, in submission order."""
        return [record.id for record in self._records()]

    # -- lifecycle -------------------------------------------------------------------
    async def submit(self, lines: list[bytes], *, targets: list[str], strategy: str) -> JobRecord:
        """A new job from JSONL lines (each an article object), queued to start.
        ``strategy`` is the resolved one, so a restart with another default resumes it."""
        job_id = uuid.uuid4().hex[:16]
        record = JobRecord.model_validate(
            {"id": job_id, "targets": targets, "strategy": strategy, "articles": len(lines)}
        )
        await asyncio.to_thread(self._create, record, lines)
        self.start(job_id)
        return record

    def _create(self, record: JobRecord, lines: list[bytes]) -> None:
        path = self.root / record.id
        path.mkdir()
        with (path / INPUT).open("wb") as stream:
            for line in lines:
                stream.write(line.rstrip(b"\r\n") + b"\n")
        self._save(record)

    def start(self, job_id: str) -> None:
        if job_id not in self._tasks:
            task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
            self._tasks[job_id] = task
            task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    def resume(self) -> list[str]:
        """Start every unfinished job on disk (a restart), oldest first; returns their ids."""
        resumed = [r.id for r in self._records() if r.status in UNFINISHED]
        for job_id in resumed:
            self.start(job_id)
        return resumed

    def cancel(self, job_id: str) -> JobRecord:
        record = self.record(job_id)
        if record.status in UNFINISHED:
            (self._dir(job_id) / CANCEL).touch()
            self._set(job_id, status="cancelled")
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
        for record in self._records():
            status = status_of(self.root / record.id, record)
            counts[status] = counts.get(status, 0) + 1
        return counts

    # -- running ---------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """One of the process's MAX_RUNNING_JOBS places (first come, first served)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.max_running))
        async with self._slots[1]:
            yield

    async def _run(self, job_id: str) -> None:
        warned = False
        while True:
            async with self._slot():
                ran = await self._run_once(job_id)
            if ran:
                return
            if not warned:
                log.info("job %s is run by another server process; trying again", job_id)
                warned = True
            await asyncio.sleep(self.lock_retry)  # its lock is free once its owner dies

    def _cancelled(self, job_id: str) -> bool:
        """Whether the job has been cancelled; if so, its record says so."""
        if not (self.root / job_id / CANCEL).exists():
            return False
        if self.record(job_id).status != "cancelled":
            self._set(job_id, status="cancelled")
        return True

    async def _run_once(self, job_id: str) -> bool:
        """Run the job to its end or its interruption; False when another process holds
        its lock (nothing was written)."""
        path = self._dir(job_id)
        record = self.record(job_id)
        if record.status not in UNFINISHED or self._cancelled(job_id):
            return True
        try:
            with DirectoryLock(path):  # a probe: "running" only if this process can run it
                pass
        except JobLocked:
            return False
        self._set(job_id, status="running")
        if self._cancelled(job_id):  # cancelled by another process in between
            return True
        extractor = self._extractor_for(record.strategy)
        price = self._price(extractor)
        reporter = Progress(path, self._on_usage, price)
        batch = asyncio.create_task(
            run_batch(
                read_jsonl_file(path / INPUT, name="line"),
                path,
                extractor,
                targets=record.targets,
                concurrency=self._concurrency,
                progress=reporter,
                price=price,
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
        except JobLocked:  # taken by another process since the probe
            return False
        except Exception as e:  # the job stops; the service and the other jobs go on
            log.exception("job %s failed", job_id)
            self._set(job_id, status="failed", message=f"{type(e).__name__}: {e}")
            return True
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            reporter.write()
        if summary.stopped == "interrupted":  # the engine stops cleanly when cancelled
            if self._cancelled(job_id):  # by a user: tables of what is done
                await asyncio.to_thread(rebuild_tables, path, record.targets)
            return True  # by a shutdown: still "running", resumed at the next start
        if self._cancelled(job_id):
            return True
        if summary.stopped != "complete":
            self._set(job_id, status="failed", message=f"stopped: {summary.stopped}")
        else:
            self._set(job_id, status="done")
        return True

    async def _watch(self, path: Path, batch: asyncio.Task[Any], reporter: Progress) -> None:
        while not batch.done():
            await asyncio.sleep(TICK)
            if (path / CANCEL).exists():
                batch.cancel()
            reporter.write()

    # -- reading ---------------------------------------------------------------------
    def view(self, job_id: str) -> JobView:
        """Where the job stands (reads files: the routes call it in a thread)."""
        path = self._dir(job_id)
        return read_view(path, self.record(job_id))

    def results_path(self, job_id: str, fmt: str) -> Path:
        path = self._dir(job_id)
        return path / (EXTRACTIONS if fmt == "jsonl" else TABLES[fmt])

    async def table(self, job_id: str, fmt: Literal["parquet", "csv"]) -> Path:
        """The job's claims table once it has finished (NotReady before)."""
        path = self._dir(job_id)
        table = path / TABLES[fmt]
        record = self.record(job_id)
        if status_of(path, record) in UNFINISHED:
            raise NotReady(f"job {job_id} has not finished: its {fmt} table is not built yet")
        if not table.exists():
            if (path / EXTRACTIONS).exists():  # its runner is still stopping
                raise NotReady(f"job {job_id} is stopping: its {fmt} table is being built")
            # stopped before any article was run (a cancel while queued): an empty table
            await asyncio.to_thread(rebuild_tables, path, record.targets)
        return table

    def errors_path(self, job_id: str) -> Path:
        return self._dir(job_id) / ERRORS
