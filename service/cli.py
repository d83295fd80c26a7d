"""Command line: ``claimstance extract``, ``evaluate``, ``schema`` and ``batch``."""

from __future__ import annotations

import asyncio
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from claimstance.batch.job import BatchRequest, execute
from claimstance.config import Settings
from claimstance.errors import EXIT_CONFIG, EXIT_FAILED, ClaimstanceError, InputError
from claimstance.evaluation.basil import is_basil_dir, read_basil_dir
from claimstance.evaluation.evaluate import (
    basil_texts,
    brat_texts,
    extract_gold_texts,
    load_gold,
    read_predictions,
    score,
)
from claimstance.evaluation.report import render_report, render_stance_report
from claimstance.evaluation.stance_score import score_stances
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.export import JSON_DIR, export_schemas
from claimstance.schemas.models import Article

app = typer.Typer(
    name="claimstance",
    help="Grounded extraction of quoted claims, speakers and stances from news articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True, highlight=False)

Targets = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer needs Optional here
    typer.Option("--target", "-t", help="Stance target; repeat for several."),
]
Model = Annotated[Optional[str], typer.Option(help="Model name sent to the endpoint.")]  # noqa: UP045
BaseUrl = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--base-url", help="Any OpenAI-compatible endpoint, e.g. http://localhost:11434/v1."
    ),
]
StrategyOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="article (one call per article) or guided (small constrained calls)."),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
CacheDir = Annotated[Optional[Path], typer.Option(help="Response cache directory.")]  # noqa: UP045


#: One line per failure on the terminal; the whole message is in the error's JSON record.
SHORT_MESSAGE = 300


def _fail(error: ClaimstanceError, article_id: str | None = None) -> None:
    """One line: ``error (code) article: message``, the message cut to one short line."""
    message = " ".join(str(error).split())
    if len(message) > SHORT_MESSAGE:
        message = message[: SHORT_MESSAGE - 1] + "…"
    where = f" {article_id}" if article_id else ""
    err.print(
        f"[red]error[/red] ({error.code}){escape(where)}: {escape(message)}",
        highlight=False,
        soft_wrap=True,  # one line per failure, whatever the terminal width
    )


def make_settings(
    *,
    model: str | None = None,
    base_url: str | None = None,
    strategy: str | None = None,
    no_cache: bool = False,
    cache_dir: Path | None = None,
) -> Settings:
    """Settings from the environment and the common options; unusable ones exit with 2."""
    try:
        return Settings.from_env(
            model=model,
            base_url=base_url,
            strategy=strategy,
            cache_enabled=False if no_cache else None,
            cache_dir=cache_dir,
        )
    except ClaimstanceError as e:
        _fail(e)
        raise typer.Exit(EXIT_CONFIG) from e


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files (.txt, .jsonl), directories, or -.")],
    target: Targets = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Write JSONL here instead of stdout."),
    ] = None,
    model: Model = None,
    base_url: BaseUrl = None,
    strategy: StrategyOpt = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Extract claims from articles and write one Extraction per article as JSONL."""
    settings = make_settings(
        model=model, base_url=base_url, strategy=strategy, no_cache=no_cache, cache_dir=cache_dir
    )
    failures = asyncio.run(_extract_all(paths, target or [], settings, out))
    if failures:
        err.print(f"[yellow]{failures} article(s) failed[/yellow]")
        raise typer.Exit(EXIT_FAILED)


async def _extract_all(
    paths: list[str], targets: list[str], settings: Settings, out: Path | None
) -> int:
    failures = 0
    extractor = Extractor(settings)
    with ExitStack() as stack:
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
        sink: TextIO = stack.enter_context(out.open("w", encoding="utf-8")) if out else sys.stdout
        try:
            for item in read_articles(paths):
                if isinstance(item, InputError):
                    failures += 1
                    _fail(item)
                    continue
                failures += not await _extract_one(extractor, item, targets, sink)
        finally:
            await extractor.aclose()
            extractor.close()
    return failures


async def _extract_one(
    extractor: Extractor, article: Article, targets: list[str], sink: TextIO
) -> bool:
    try:
        extraction = await extractor.aextract(article, targets=targets)
    except ClaimstanceError as e:
        _fail(e, None if isinstance(e, InputError) and e.source == article.id else article.id)
        return False
    sink.write(extraction.model_dump_json() + "\n")
    sink.flush()
    usage = extraction.usage
    err.print(
        f"[green]ok[/green] {article.id}: {len(extraction.claims)} claims, "
        f"{len(extraction.speakers)} speakers, {usage.calls} calls"
        + (" (cached)" if usage.cache_hit else "")
        + (f", {len(extraction.warnings)} warnings" if extraction.warnings else "")
    )
    return True


@app.command()
def evaluate(
    gold: Annotated[
        Path,
        typer.Option(
            help="Gold directory: brat standoff (PolNeAR layout or flat), or BASIL "
            "(articles/ and annotations/; without --target each article is judged toward "
            "its own gold targets)."
        ),
    ],
    pred: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Extractions (JSONL) to score; with --run, where to write them."),
    ] = None,
    run: Annotated[
        bool, typer.Option("--run", help="Extract the gold texts first, then score.")
    ] = False,
    json_out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--json", help="Write the full report (all metrics, per article) as JSON."),
    ] = None,
    per_article: Annotated[bool, typer.Option(help="Also print a per-article table.")] = False,
    annotator: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Prefer this annotator where an article has several."),
    ] = None,
    target: Targets = None,
    model: Model = None,
    base_url: BaseUrl = None,
    strategy: StrategyOpt = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Score extractions against human annotations: attribution (brat: Source/Cue/Content,
    e.g. PolNeAR) or stance (BASIL: quoted spans with speaker, target and polarity)."""

    basil = is_basil_dir(gold)
    try:
        if basil:
            stance_docs = read_basil_dir(gold)
            texts = basil_texts(stance_docs, target or [])
        else:
            documents = load_gold(gold, annotator)
            texts = brat_texts(documents, target or [])
        if run:
            settings = make_settings(
                model=model,
                base_url=base_url,
                strategy=strategy,
                no_cache=no_cache,
                cache_dir=cache_dir,
            )
            extractor = Extractor(settings)
            try:
                predictions, failures = asyncio.run(extract_gold_texts(texts, extractor, out=pred))
            finally:
                extractor.close()
            for failure in failures:
                err.print(f"[red]failed[/red] {failure}")
        elif pred is None:
            raise typer.BadParameter("give --pred FILE.jsonl, or --run to extract first")
        else:
            predictions = read_predictions(pred)
    except ClaimstanceError as e:
        _fail(e)
        raise typer.Exit(EXIT_CONFIG) from e
    if basil:
        stance = score_stances(stance_docs, predictions)
        render_stance_report(stance, Console())
        if json_out:
            json_out.write_text(json.dumps(stance.to_json(), indent=2) + "\n", encoding="utf-8")
        return
    report = score(documents, predictions)
    render_report(report, Console(), per_article=per_article)
    if json_out:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")


@app.command()
def schema(
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Directory for the JSON Schema files (default: the package's own)."),
    ] = None,
) -> None:
    """Export the output contract as JSON Schema."""
    for path in export_schemas(out or JSON_DIR):
        typer.echo(str(path))


@app.command()
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
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Extract many articles into a resumable job directory (JSONL, Parquet, CSV)."""
    settings = make_settings(
        model=model, base_url=base_url, strategy=strategy, no_cache=no_cache, cache_dir=cache_dir
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
    try:
        code = execute(request, settings)
    except ClaimstanceError as e:
        _fail(e)
        code = EXIT_CONFIG
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
