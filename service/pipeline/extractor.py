"""Orchestration only: read an article, run a strategy, assemble one Extraction.

``Extractor`` is the reusable unit: the CLI, the batch engine and the HTTP service all
hold one and call ``aextract`` concurrently; the module-level ``extract``/``aextract``
use one shared Extractor per settings so a local model is started once per process.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType

from claimstance.config import Settings
from claimstance.errors import ConfigError, InputError
from claimstance.pipeline.article import StrategyResult, run_article
from claimstance.pipeline.assemble import build_extraction
from claimstance.pipeline.context import HttpClientFactory, RunContext
from claimstance.pipeline.guided import PROMPT_NAMES as GUIDED_PROMPTS
from claimstance.pipeline.guided import run_guided
from claimstance.prompts import load_prompt
from claimstance.schemas.models import Article, Extraction, Strategy
from claimstance.text.normalize import unique_targets

StrategyRunner = Callable[[Article, Sequence[str], RunContext], Awaitable[StrategyResult]]


#: Each strategy's runner and the prompts it uses (their versions go into every Extraction).
RUNNERS: dict[Strategy, tuple[StrategyRunner, tuple[str, ...]]] = {
    "article": (run_article, ("article",)),
    "guided": (run_guided, GUIDED_PROMPTS),
}


def as_article(article_or_text: Article | str) -> Article:
    article = Article(text=article_or_text) if isinstance(article_or_text, str) else article_or_text
    if not article.text.strip():
        raise InputError("the article text is empty", source=article.id)
    return article


class Extractor:
    """Extracts claims with one configuration; safe to share across concurrent tasks."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        http_client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.context = RunContext(self.settings, http_client_factory=http_client_factory)
        self._runner: asyncio.Runner | None = None
        self._lock = threading.Lock()

    @property
    def strategy(self) -> Strategy:
        return self.settings.resolved_strategy

    def prompt_version(self) -> str:
        _, names = RUNNERS[self.strategy]
        return ",".join(load_prompt(name).ref for name in names)

    async def aextract(
        self, article_or_text: Article | str, *, targets: Sequence[str] | None = None
    ) -> Extraction:
        article = as_article(article_or_text)
        wanted = unique_targets(targets or [])
        runner, _ = RUNNERS[self.strategy]
        result = await runner(article, wanted, self.context)
        return build_extraction(
            article,
            result.claims,
            targets=wanted,
            model=self.settings.resolved_model,
            strategy=self.strategy,
            prompt_version=self.prompt_version(),
            usage=result.usage,
            warnings=result.warnings,
            target_list=result.targets,
        )

    def extract(
        self, article_or_text: Article | str, *, targets: Sequence[str] | None = None
    ) -> Extraction:
        """Synchronous form; runs on this Extractor's private event loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise ConfigError("extract() called from a running event loop; await aextract()")
        with self._lock:
            if self._runner is None:
                self._runner = asyncio.Runner()
            return self._runner.run(self.aextract(article_or_text, targets=targets))

    def close(self) -> None:
        with self._lock:
            if self._runner is not None:
                self._runner.run(self.context.aclose_clients())
                self._runner.close()
                self._runner = None
        self.context.close()

    async def aclose(self) -> None:
        await self.context.aclose_clients()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_shared: dict[str, Extractor] = {}
_shared_lock = threading.Lock()


def shared_extractor(settings: Settings | None = None) -> Extractor:
    settings = settings or Settings.from_env()
    secret = settings.api_key.get_secret_value() if settings.api_key else ""
    key = f"{settings.model_dump_json()}|{hash(secret)}"  # SecretStr dumps as '****'
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Extractor(settings)
        return _shared[key]


@atexit.register
def _close_shared() -> None:
    for extractor in _shared.values():
        extractor.close()
    _shared.clear()


def extract(
    article_or_text: Article | str,
    *,
    targets: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> Extraction:
    """Claims, speakers and stances of one article (text or ``Article``)."""
    return shared_extractor(settings).extract(article_or_text, targets=targets)


async def aextract(
    article_or_text: Article | str,
    *,
    targets: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> Extraction:
    """Async form of :func:`extract`."""
    return await shared_extractor(settings).aextract(article_or_text, targets=targets)
