"""The command line: ``claimstance extract``, ``batch``, ``serve``, ``evaluate``, ``schema``.

May import every layer; nothing imports it. One module per command (or pair of small ones).
"""

from __future__ import annotations

from typing import Annotated

import typer

from claimstance import __version__
from claimstance.cli.batch import batch
from claimstance.cli.diff import diff
from claimstance.cli.evaluate import evaluate
from claimstance.cli.extract import extract, schema
from claimstance.cli.report import report
from claimstance.cli.serve import serve
from claimstance.cli.tables import tables

app = typer.Typer(
    name="claimstance",
    help="Grounded extraction of quoted claims, speakers and stances from news articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"claimstance {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Grounded extraction of quoted claims, speakers and stances from news articles."""


for command in (extract, batch, serve, evaluate, schema, tables, report, diff):
    app.command()(command)

__all__ = ["app"]
