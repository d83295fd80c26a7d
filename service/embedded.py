"""The embedded local model (placeholder)."""

from __future__ import annotations

from dataclasses import dataclass

from service.config import Settings
from service.errors import ConfigError


@dataclass(frozen=True)
class EmbeddedServer:
    base_url: str


def shared_server(settings: Settings) -> EmbeddedServer:
    raise ConfigError(
        "no LLM endpoint configured: set OPENAI_API_KEY or OPENAI_BASE_URL (or --base-url)"
    )
