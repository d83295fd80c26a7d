"""What ``claimstance batch`` does, given its options: wiring only, the engine is elsewhere.

Exit codes: 0 every article done; 1 some article failed (see errors.jsonl); 2 unusable
settings or a job directory started with other parameters; 3 stopped because the token
budget would have been exceeded; 130 interrupted (Ctrl-C). Re-running resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from claimstance.batch.engine import run_batch
from claimstance.batch.extractor import make_extractor
from claimstance.batch.on_ray import run_ray
from claimstance.batch.progress import Reporter, count_inputs, make_reporter
from claimstance.batch.stats import BatchSummary, Price, price_for
from claimstance.config import Settings
from claimstance.errors import EXIT_INTERRUPTED, ConfigError
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from claimstance.text.normalize import unique_targets

err = Console(stderr=True, highlight=False)
#: Called with the job's Extractor before the run and after it (see ``execute``).
RunHook = Callable[[Extractor], None]


@dataclass
class BatchRequest:
    paths: list[str]
    out_dir: Path
    targets: list[str] = field(default_factory=list)
    concurrency: int = 8
    workers: int = 1
    budget_tokens: int | None = None
    retry_failed: bool = False
    force: bool = False
    provider_batch: bool = False
    poll_interval: float = 30.0
    price_in: float | None = None
    price_out: float | None = None
    quiet: bool = False
    progress_interval: float = 10.0
    ray: bool = False
    ray_address: str | None = None
    ray_actors: int = 2

    def __post_init__(self) -> None:
        # One column per target: "US–China cooperation" and "us-china cooperation" are one.
        self.targets = unique_targets(self.targets)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a job the way Ctrl-C does (the event loop's SIGINT handler cancels
    the run, the records so far are kept, the summary is written, the exit code is 130),
    instead of killing it mid-write. Only in the main thread, where signals are handled."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def execute(
    request: BatchRequest,
    settings: Settings,
    *,
    before: RunHook | None = None,
    after: RunHook | None = None,
) -> int:
    """Run the batch the request describes; print the summary; return the exit code.

    A ClaimstanceError (unusable settings, a job with other parameters, broken workers)
    stops the whole job: it is raised for the CLI to report with exit code 2. ``before``
    and ``after`` see the job's Extractor (what ``--record`` and ``--replay`` add).
    """
    if request.workers > 1 and (request.ray or request.provider_batch):
        mode = "--ray" if request.ray else "--provider-batch"
        raise ConfigError(f"--workers cannot be used with {mode}")
    taping = settings.record_dir is not None or settings.replay_dir is not None
    if taping and (request.workers > 1 or request.ray or request.provider_batch):
        raise ConfigError(
            "--record and --replay run in one process: not with --workers, --ray or "
            "--provider-batch"
        )
    if request.ray:
        rows = run_ray(
            request.paths,
            request.out_dir,
            settings,
            targets=request.targets,
            actors=request.ray_actors,
            address=request.ray_address,
        )
        err.print(f"ray: {rows} articles written to {request.out_dir}")
        return 0
    price = price_for(
        settings.resolved_model,
        price_in=request.price_in,
        price_out=request.price_out,
        provider_batch=request.provider_batch,
    )
    extractor = make_extractor(settings, request.concurrency)
    if before is not None:
        before(extractor)
    try:
        with sigterm_as_interrupt():
            summary = asyncio.run(_run(request, extractor, price))
        if after is not None:
            after(extractor)
    except KeyboardInterrupt:
        err.print("interrupted; re-run the same command to resume")
        return EXIT_INTERRUPTED
    finally:
        extractor.close()
    if summary.stats.failed or summary.job_failed:
        err.print(f"{summary.job_failed} article(s) failed: see {request.out_dir / 'errors.jsonl'}")
    return summary.exit_code


async def _run(request: BatchRequest, extractor: Extractor, price: Price | None) -> BatchSummary:
    reporter = make_reporter(quiet=request.quiet, interval=request.progress_interval)
    try:
        if request.provider_batch:
            return await _provider(request, extractor, price, reporter)
        return await run_batch(
            read_articles(request.paths),
            request.out_dir,
            extractor,
            targets=request.targets,
            concurrency=request.concurrency,
            budget_tokens=request.budget_tokens,
            retry_failed=request.retry_failed,
            force=request.force,
            progress=reporter,
            price=price,
            count=lambda: count_inputs(request.paths),
            workers=request.workers,
        )
    finally:
        await extractor.aclose()


async def _provider(
    request: BatchRequest, extractor: Extractor, price: Price | None, reporter: Reporter
) -> BatchSummary:
    # Both import openai (0.5 s): only for --provider-batch.
    from claimstance.batch.provider import ProviderBatch
    from claimstance.llm.batches import BatchAPI

    if request.budget_tokens is not None:
        raise ConfigError("--budget-tokens cannot be used with --provider-batch")
    api = BatchAPI(extractor.settings)
    try:
        job = ProviderBatch(
            lambda: read_articles(request.paths),
            request.out_dir,
            extractor,
            api,
            targets=request.targets,
            poll_interval=request.poll_interval,
            retry_failed=request.retry_failed,
            progress=reporter,
            price=price,
            force=request.force,
            say=lambda message: err.print(message),
        )
        return await job.run()
    finally:
        await api.aclose()
