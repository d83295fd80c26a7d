"""``claimstance report``: extraction results as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from claimstance.analysis.read import read_extractions
from claimstance.cli.options import err, fail
from claimstance.errors import EXIT_CONFIG, EXIT_FAILED, InputError
from claimstance.inputs import read_articles
from claimstance.report.build import build_report
from claimstance.report.page import write_page
from claimstance.schemas.models import Article


def report(
    results: Annotated[
        list[Path],
        typer.Argument(
            help="Extraction results: JSONL files (claimstance extract -o) or batch job "
            "directories (their extractions.jsonl); each article once."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")],
    articles: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional here
        typer.Option(
            "--articles",
            "-a",
            help="The article texts, as claimstance extract takes them (files, directories, "
            "JSONL, - for stdin), matched by article id; repeat for several. Without them "
            "claims are listed but not shown in context.",
        ),
    ] = None,
) -> None:
    """Write an HTML report: quotes highlighted in their articles, speakers across articles,
    a speaker × target stance matrix and stance over time, with filters. One file, no
    network: open it from disk."""
    try:
        extractions = read_extractions(results)
    except InputError as e:
        fail(e)
        raise typer.Exit(EXIT_CONFIG) from e
    if not extractions:
        fail(InputError("no extraction results to report on"))
        raise typer.Exit(EXIT_CONFIG)
    failed = 0
    texts: list[Article] = []
    for article in read_articles(articles or []):
        if isinstance(article, InputError):
            fail(article)
            failed += 1
        else:
            texts.append(article)
    built = build_report(extractions, texts)
    write_page(built, out)
    with_text = sum(a.text is not None for a in built.articles)
    err.print(
        f"wrote {escape(str(out))}: {len(built.articles)} articles ({with_text} with text), "
        f"{len(built.claims)} claims, {len(built.speakers)} speakers",
        soft_wrap=True,  # one line, whatever the terminal width
    )
    if failed:
        raise typer.Exit(EXIT_FAILED)
