"""``claimstance evaluate``: score extractions against human annotations."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from claimstance.cli.options import (
    BaseUrl,
    CacheDir,
    Local,
    Model,
    NoCache,
    StrategyOpt,
    Targets,
    err,
    fail,
    make_settings,
)
from claimstance.errors import EXIT_CONFIG, ClaimstanceError
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
from claimstance.pipeline.extractor import Extractor


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
    local: Local = False,
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
                local=local,
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
        fail(e)
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
