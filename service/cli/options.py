"""What every command shares: option types, settings from options, one-line failures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from claimstance.config import Settings
from claimstance.errors import EXIT_CONFIG, ClaimstanceError

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
Local = Annotated[
    bool,
    typer.Option(
        "--local", help="Use the embedded model even when OPENAI_API_KEY or a base URL is set."
    ),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
Record = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--record", help="Write the run's LLM traffic and a manifest into DIR."),
]
Replay = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--replay", help="Answer every LLM request from the recording in DIR."),
]
CacheDir = Annotated[Optional[Path], typer.Option(help="Response cache directory.")]  # noqa: UP045

#: One line per failure on the terminal; the whole message is in the error's JSON record.
SHORT_MESSAGE = 300


def fail(error: ClaimstanceError, article_id: str | None = None) -> None:
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
    local: bool = False,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    record: Path | None = None,
    replay: Path | None = None,
    announce: bool = True,
) -> Settings:
    """Settings from the environment and the common options; unusable ones exit with 2.
    ``announce``: say once, on stderr, which model answers and where."""
    try:
        settings = Settings.from_env(
            model=model,
            base_url=base_url,
            strategy=strategy,
            local=True if local else None,
            cache_enabled=False if no_cache else None,
            cache_dir=cache_dir,
            record_dir=record,
            replay_dir=replay,
        )
    except ClaimstanceError as e:
        fail(e)
        raise typer.Exit(EXIT_CONFIG) from e
    if announce:
        err.print(
            f"using {escape(settings.describe_endpoint())}, {settings.resolved_strategy} strategy"
        )
    return settings
