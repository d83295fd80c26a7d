"""Orchestration only: read an article, run a strategy, assemble one Extraction.

``Extractor`` is the reusable unit: the CLI, the batch engine and the HTTP service all
hold one and call ``aextract`` concurrently; the module-level ``extract``/``aextract``
use one shared Extractor per settings so a local model is started once per process.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from types import TracebackType

from pydantic import ValidationError

from claimstance.config import Settings
from claimstance.errors import ClaimstanceError, InputError
from claimstance.loop_thread import LoopThread
from claimstance.pipeline.article import StrategyResult, run_article
from claimstance.pipeline.assemble import build_extraction
from claimstance.pipeline.context import HttpClientFactory, RunContext
from claimstance.pipeline.guided import PROMPT_NAMES as GUIDED_PROMPTS
from claimstance.pipeline.guided import run_guided
from claimstance.pipeline.many import ProgressCallback, aextract_many
from claimstance.prompts import load_prompt
from claimstance.schemas.models import Article, Extraction, Strategy
from claimstance.text.normalize import unique_targets

StrategyRunner = Callable[[Article, Sequence[str], RunContext], Awaitable[StrategyResult]]


#: Each strategy's runner and the prompts it uses (their versions go into every Extraction).
RUNNERS: dict[Strategy, tuple[StrategyRunner, tuple[str, ...]]] = {
    "article": (run_article, ("article",)),
    "guided": (run_guided, GUIDED_PROMPTS),
}


#: A requested stance target longer than this is a mistake (a paragraph passed as a target).
MAX_TARGET_CHARS = 200
#: Stance targets one request may ask for (the guided strategy asks per claim and target).
MAX_TARGETS = 50


def as_article(article_or_text: Article | str) -> Article:
    """The caller's article, or an InputError saying what is wrong with it."""
    if isinstance(article_or_text, Article):
        article = article_or_text
    elif isinstance(article_or_text, str):
        try:
            article = Article(text=article_or_text)
        except ValidationError as e:
            message = e.errors()[0]["msg"].removeprefix("Value error, ")
            raise InputError(f"invalid article text: {message}", source="<text>") from None
    else:
        kind = type(article_or_text).__name__
        hint = " (decode bytes to str first)" if isinstance(article_or_text, bytes) else ""
        raise InputError(f"expected an Article or a str, got {kind}{hint}", source="<input>")
    if not article.text.strip():
        raise InputError("the article text is empty", source=article.id)
    return article


def as_targets(targets: Sequence[str] | str | None, *, source: str | None) -> list[str]:
    """Requested targets, normalised: one string is one target (not its characters), repeats
    and blanks go (``text.normalize.unique_targets``); anything else, or more than
    :data:`MAX_TARGETS` of them, is an InputError (``source``: the article it is about)."""
    if targets is None:
        return []
    if isinstance(targets, str):
        targets = [targets]
    for target in targets:
        if not isinstance(target, str):
            kind = type(target).__name__
            raise InputError(f"each target must be a str, got {kind}", source=source)
        if len(target) > MAX_TARGET_CHARS:
            raise InputError(
                f"a target of {len(target):,} characters (at most {MAX_TARGET_CHARS}): pass "
                "a name or a short phrase",
                source=source,
            )
    unique = unique_targets(targets)
    if len(unique) > MAX_TARGETS:
        raise InputError(
            f"{len(unique):,} targets (at most {MAX_TARGETS}): each one costs requests per "
            "claim; ask for the targets you will analyse",
            source=source,
        )
    return unique


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
        self._loop = LoopThread()
        self._lock = threading.Lock()

    @property
    def strategy(self) -> Strategy:
        return self.settings.resolved_strategy

    def prompt_version(self) -> str:
        _, names = RUNNERS[self.strategy]
        return ",".join(load_prompt(name).ref for name in names)

    async def aextract(
        self, article_or_text: Article | str, *, targets: Sequence[str] | str | None = None
    ) -> Extraction:
        article = as_article(article_or_text)
        limit = self.settings.max_article_chars
        if len(article.text) > limit:
            raise InputError(
                f"the article has {len(article.text):,} characters, more than the "
                f"{limit:,} allowed (CLAIMSTANCE_MAX_ARTICLE_CHARS)",
                source=article.id,
            )
        wanted = as_targets(targets, source=article.id)
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
        self, article_or_text: Article | str, *, targets: Sequence[str] | str | None = None
    ) -> Extraction:
        """Synchronous form. It runs on this Extractor's own event loop in a background
        thread, so it also works where a loop is running already (Jupyter)."""
        return self._loop.run(self.aextract(article_or_text, targets=targets))

    def aextract_many(
        self,
        articles: Iterable[Article | str | InputError],
        *,
        targets: Sequence[str] | str | None = None,
        concurrency: int = 4,
        ordered: bool = False,
        progress: bool | ProgressCallback = False,
    ) -> AsyncIterator[Extraction | ClaimstanceError]:
        """Each article's Extraction, or its typed error (with ``article_id``), as they finish
        (``ordered``: in input order); ``concurrency`` articles at a time; ``progress``: a
        bar on stderr, or a callback ``(finished, total)``."""
        return aextract_many(
            self,
            articles,
            targets=targets,
            concurrency=concurrency,
            ordered=ordered,
            progress=progress,
        )

    def extract_many(
        self,
        articles: Iterable[Article | str | InputError],
        *,
        targets: Sequence[str] | str | None = None,
        concurrency: int = 4,
        ordered: bool = False,
        progress: bool | ProgressCallback = False,
    ) -> Iterator[Extraction | ClaimstanceError]:
        """Synchronous form of :meth:`aextract_many` (works inside Jupyter too)."""
        results = self.aextract_many(
            articles, targets=targets, concurrency=concurrency, ordered=ordered, progress=progress
        )
        try:
            while True:
                try:
                    yield self._loop.run(anext(results))
                except StopAsyncIteration:
                    return
        finally:
            if self._loop.started:
                self._loop.run(results.aclose())  # type: ignore[attr-defined]

    def close(self) -> None:
        with self._lock:
            if self._loop.started:
                self._loop.run(self.context.aclose_clients())
                self._loop.close()
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
    targets: Sequence[str] | str | None = None,
    settings: Settings | None = None,
) -> Extraction:
    """Claims, speakers and stances of one article (text or ``Article``)."""
    return shared_extractor(settings).extract(article_or_text, targets=targets)


async def aextract(
    article_or_text: Article | str,
    *,
    targets: Sequence[str] | str | None = None,
    settings: Settings | None = None,
) -> Extraction:
    """Async form of :func:`extract`."""
    return await shared_extractor(settings).aextract(article_or_text, targets=targets)


def extract_many(
    articles: Iterable[Article | str],
    *,
    targets: Sequence[str] | str | None = None,
    concurrency: int = 4,
    ordered: bool = False,
    progress: bool | ProgressCallback = False,
    settings: Settings | None = None,
) -> Iterator[Extraction | ClaimstanceError]:
    """Many articles at once: an Extraction, or the typed error, per article as each finishes."""
    return shared_extractor(settings).extract_many(
        articles, targets=targets, concurrency=concurrency, ordered=ordered, progress=progress
    )
