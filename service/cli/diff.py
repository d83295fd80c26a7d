"""``claimstance diff OLD NEW``: which claims a change of prompt, model or code changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from claimstance.cli.options import fail
from claimstance.errors import EXIT_CONFIG, EXIT_FAILED, ClaimstanceError
from claimstance.evaluation.compare import diff_runs, read_outputs, rows


def diff(
    old: Annotated[Path, typer.Argument(help="Extractions (JSONL) or a batch job directory.")],
    new: Annotated[Path, typer.Argument(help="The run to compare with OLD.")],
    tolerance: Annotated[
        float, typer.Option(min=0, max=1, help="Confidence differences up to this are equal.")
    ] = 0.05,
    json_out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--json", help="Also write the differences as JSON here ('-': stdout)."),
    ] = None,
) -> None:
    """Claims added, removed and changed per article; exit 1 when anything changed (for CI)."""
    try:
        result = diff_runs(read_outputs(old), read_outputs(new), tolerance)
    except ClaimstanceError as e:
        fail(e)
        raise typer.Exit(EXIT_CONFIG) from e
    report = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    if json_out is not None and str(json_out) == "-":
        typer.echo(report, nl=False)
    else:
        if json_out is not None:
            json_out.write_text(report, encoding="utf-8")
        console = Console()
        found = list(rows(result))
        if found:
            table = Table("article", "change", "claim", "what", show_lines=False)
            for row in found:
                table.add_row(*row)
            console.print(table)
        totals = result.totals()
        console.print(
            f"{totals['articles_changed']} of {totals['articles']} articles changed: "
            f"{totals['claims_added']} claims added, {totals['claims_removed']} removed, "
            f"{totals['claims_changed']} changed (confidence tolerance {tolerance:g})",
            highlight=False,
        )
    if result.differs:
        raise typer.Exit(EXIT_FAILED)
