"""``claimstance batch``: a resumable job over many articles (the options; the engine is
in :mod:`claimstance.batch`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from claimstance.batch.job import BatchRequest, execute
from claimstance.batch.manifest import ERRORS, EXTRACTIONS, iter_jsonl
from claimstance.cli.options import (
    BaseUrl,
    CacheDir,
    Local,
    Model,
    NoCache,
    Record,
    Replay,
    StrategyOpt,
    Targets,
    err,
    fail,
    make_settings,
)
from claimstance.cli.tape import after_run, before_run
from claimstance.errors import EXIT_CONFIG, ClaimstanceError
from claimstance.pipeline.extractor import Extractor


def batch(
    paths: Annotated[list[str], typer.Argument(help="Files (.txt, .jsonl), directories, or -.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Job directory (created; resumable).")],
    target: Targets = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=256, help="Articles (and LLM requests) in flight.")
    ] = 8,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Extract in N processes sharing --concurrency; for endpoints fast enough "
            "that one CPU core is the limit.",
        ),
    ] = 1,
    budget_tokens: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(min=1, help="Stop cleanly before the job's tokens would exceed this."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Re-run only the articles in errors.jsonl.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Resume a job although its parameters changed.")
    ] = False,
    provider_batch: Annotated[
        bool, typer.Option("--provider-batch", help="Use the OpenAI Batch API (≤24 h, half price).")
    ] = False,
    poll_interval: Annotated[
        float, typer.Option(min=0, help="Seconds between provider batch status checks.")
    ] = 30.0,
    price_in: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(help="USD per 1M input tokens (default: the shipped price table)."),
    ] = None,
    price_out: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(help="USD per 1M output tokens (default: the shipped price table)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the final summary.")] = False,
    ray: Annotated[
        bool, typer.Option("--ray", help="Run on Ray Data (needs the ray extra).")
    ] = False,
    ray_address: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Ray cluster address (default: start or join a local one)."),
    ] = None,
    ray_actors: Annotated[int, typer.Option(min=1, help="Ray actors (one client each).")] = 2,
    model: Model = None,
    base_url: BaseUrl = None,
    strategy: StrategyOpt = None,
    local: Local = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    record: Record = None,
    replay: Replay = None,
) -> None:
    """Extract many articles into a resumable job directory (JSONL, Parquet, CSV)."""
    settings = make_settings(
        model=model,
        base_url=base_url,
        strategy=strategy,
        local=local,
        no_cache=no_cache,
        cache_dir=cache_dir,
        record=record,
        replay=replay,
        announce=not quiet,
    )
    request = BatchRequest(
        paths=paths,
        out_dir=out,
        targets=target or [],
        concurrency=concurrency,
        workers=workers,
        budget_tokens=budget_tokens,
        retry_failed=retry_failed,
        force=force,
        provider_batch=provider_batch,
        poll_interval=poll_interval,
        price_in=price_in,
        price_out=price_out,
        quiet=quiet,
        ray=ray,
        ray_address=ray_address,
        ray_actors=ray_actors,
    )

    def finished(extractor: Extractor) -> None:
        path = out / EXTRACTIONS
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        after_run(extractor, request.targets, lines)
        if extractor.settings.replay_dir is not None:
            missed = [r for r in iter_jsonl(out / ERRORS) if "no recording" in str(r.get("error"))]
            if missed:  # name the first article whose request the recording does not hold
                first = missed[0]
                message = str((first.get("error") or {}).get("message", ""))
                err.print(f"[red]replay[/red] {first.get('article_id')}: {escape(message)}")

    try:
        code = execute(
            request,
            settings,
            before=lambda extractor: before_run(extractor, request.targets),
            after=finished,
        )
    except ClaimstanceError as e:
        fail(e)
        code = EXIT_CONFIG
    raise typer.Exit(code)
