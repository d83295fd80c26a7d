"""``claimstance extract`` (articles to JSONL, concurrently) and ``claimstance schema``."""

from __future__ import annotations

import asyncio
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

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
from claimstance.config import Settings
from claimstance.errors import EXIT_FAILED, ClaimstanceError, InputError
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.export import EXPORTS, export_schemas, render
from claimstance.schemas.models import Extraction


def extract(
    paths: Annotated[list[str], typer.Argument(help="Files (.txt, .jsonl), directories, or -.")],
    target: Targets = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Write JSONL here instead of stdout."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=256, help="Articles extracted at once.")
    ] = 4,
    model: Model = None,
    base_url: BaseUrl = None,
    strategy: StrategyOpt = None,
    local: Local = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    record: Record = None,
    replay: Replay = None,
) -> None:
    """Extract claims from articles and write one Extraction per article as JSONL, in input
    order (a progress bar on a terminal; for resumable jobs use ``batch``)."""
    settings = make_settings(
        model=model,
        base_url=base_url,
        strategy=strategy,
        local=local,
        no_cache=no_cache,
        cache_dir=cache_dir,
        record=record,
        replay=replay,
    )
    failures = asyncio.run(_extract_all(paths, target or [], settings, out, concurrency))
    if failures:
        err.print(f"[yellow]{failures} article(s) failed[/yellow]")
        raise typer.Exit(EXIT_FAILED)


async def _extract_all(
    paths: list[str], targets: list[str], settings: Settings, out: Path | None, concurrency: int
) -> int:
    failures = 0
    extractor = Extractor(settings)
    written: list[str] = []
    before_run(extractor, targets)
    bar = _bar() if err.is_terminal else None
    with ExitStack() as stack:
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
        sink: TextIO = stack.enter_context(out.open("w", encoding="utf-8")) if out else sys.stdout
        if bar is not None:
            stack.enter_context(bar)
        task = bar.add_task("extracting", total=None) if bar is not None else None
        try:
            results = extractor.aextract_many(
                read_articles(paths), targets=targets, concurrency=concurrency, ordered=True
            )
            async for result in results:
                if isinstance(result, ClaimstanceError):
                    failures += 1
                    own = isinstance(result, InputError) and result.source == result.article_id
                    fail(result, None if own else result.article_id)
                else:
                    line = result.model_dump_json() + "\n"
                    sink.write(line)
                    sink.flush()
                    written.append(line)
                    if bar is None:
                        _report(result)
                if bar is not None and task is not None:
                    bar.advance(task)
        finally:
            await extractor.aclose()
            extractor.close()
    after_run(extractor, targets, written)
    return failures


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def _report(extraction: Extraction) -> None:
    usage = extraction.usage
    err.print(
        f"[green]ok[/green] {extraction.article_id}: {len(extraction.claims)} claims, "
        f"{len(extraction.speakers)} speakers, {usage.calls} calls"
        + (" (cached)" if usage.cache_hit else "")
        + (f", {len(extraction.warnings)} warnings" if extraction.warnings else "")
    )


def schema(
    name: Annotated[
        str,
        typer.Argument(help="extraction, article or article_draft (printed to stdout)."),
    ] = "extraction",
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Write every schema into this directory instead."),
    ] = None,
) -> None:
    """The output contract as JSON Schema (draft 2020-12, with $schema and $id)."""
    if out is not None:
        for path in export_schemas(out):
            typer.echo(str(path))
        return
    file = f"{name}.schema.json"
    if file not in EXPORTS:
        names = ", ".join(n.removesuffix(".schema.json") for n in EXPORTS)
        err.print(f"[red]error[/red] (input): no schema {name!r}; one of {names}")
        raise typer.Exit(2)
    sys.stdout.write(render(EXPORTS[file], file))
