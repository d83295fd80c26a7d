"""The guided strategy (placeholder until the deterministic detector lands)."""

from __future__ import annotations

from collections.abc import Sequence

from schemas.models import Article
from service.article import StrategyResult
from service.context import RunContext
from service.errors import ConfigError

PROMPT_NAMES: tuple[str, ...] = ("article",)


async def run_guided(
    article: Article, targets: Sequence[str], context: RunContext
) -> StrategyResult:
    raise ConfigError("the guided strategy is not available yet; use --strategy article")
