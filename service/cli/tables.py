"""``claimstance tables``: speakers, claims, stances and mentions as CSV and Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from claimstance.cli.options import err, fail
from claimstance.errors import EXIT_FAILED, ClaimstanceError
from claimstance.tables import read_extractions, write


def tables(
    results: Annotated[
        list[Path],
        typer.Argument(help="Extraction JSONL files or batch job directories."),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Directory for the tables (created if needed).")
    ],
) -> None:
    """Write the speakers (resolved across articles), claims, stances (one row per claim and
    target) and mentions tables as CSV and Parquet into a directory."""
    try:
        extractions = read_extractions(results)
        if not extractions:
            err.print("no extractions in the results: the tables are empty")
        written = write(extractions, out)
    except ClaimstanceError as e:
        fail(e)
        raise typer.Exit(EXIT_FAILED) from e
    for path, rows in written:
        typer.echo(f"{path}  {rows} rows")
