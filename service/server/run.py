"""Starting the server: the bind check, one line saying what serves, then uvicorn."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn

from claimstance.config import Settings, export_environment
from claimstance.errors import ConfigError
from claimstance.server.app import create_app
from claimstance.server.security import check_bind


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    log_level: str = "info",
    say: Callable[[str], None] = print,
) -> None:
    """Serve until stopped. Without a token only loopback is allowed, and the embedded model
    only with one worker (ConfigError). Slots, single flight and metrics are per process."""
    check_bind(host, settings.api_token is not None)
    if workers > 1 and settings.embedded:
        raise ConfigError(
            f"--workers {workers} with the embedded model would start {workers} llama.cpp "
            "servers (one per worker process); run one worker, or serve a remote endpoint "
            "(--base-url or OPENAI_API_KEY)"
        )
    auth = "bearer token required" if settings.api_token else "no token: loopback only"
    say(
        f"claimstance serve: {settings.describe_endpoint()}; http://{host}:{port} "
        f"({auth}); jobs in {settings.state_dir / 'jobs'}"
    )
    options = {"host": host, "port": port, "log_level": log_level, "proxy_headers": False}
    if workers == 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return
    # Worker processes build their own app from the environment: hand them these settings.
    export_environment(settings)
    uvicorn.run(
        "claimstance.server.app:app_from_env",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
    )
