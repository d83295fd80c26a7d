"""``claimstance serve``: the HTTP API over the same pipeline and batch engine."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from claimstance.cli.options import (
    BaseUrl,
    CacheDir,
    Local,
    Model,
    NoCache,
    StrategyOpt,
    err,
    fail,
    make_settings,
)
from claimstance.errors import EXIT_CONFIG, ClaimstanceError


class LogLevel(enum.StrEnum):
    """uvicorn's log levels (anything else would end in its KeyError traceback)."""

    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"
    trace = "trace"


def serve(
    host: Annotated[str, typer.Option(help="Address to bind (non-loopback needs a token).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1,
    log_level: Annotated[
        LogLevel, typer.Option(case_sensitive=False, help="uvicorn's log level.")
    ] = LogLevel.info,
    model: Model = None,
    base_url: BaseUrl = None,
    strategy: StrategyOpt = None,
    local: Local = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Run the HTTP API (OpenAPI at /docs). Token: CLAIMSTANCE_API_TOKEN."""
    from claimstance.server.run import serve as run  # FastAPI and uvicorn: for serve only

    settings = make_settings(
        model=model,
        base_url=base_url,
        strategy=strategy,
        local=local,
        no_cache=no_cache,
        cache_dir=cache_dir,
        announce=False,
    )
    try:
        run(
            settings,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level.value,
            say=err.print,
        )
    except ClaimstanceError as e:
        fail(e)
        raise typer.Exit(EXIT_CONFIG) from e
