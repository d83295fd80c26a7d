"""Many articles through one Extractor at a bounded concurrency, results as they finish.

The in-process counterpart of the batch engine, for notebooks and scripts: no job
directory, no resume; one bad article yields its typed error in its place (carrying
``article_id``) and the others go on. ``ordered=True`` yields in input order instead
(what the ``extract`` command writes), holding at most ``concurrency`` results back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Protocol

from rich.console import Console
from rich.progress import Progress

from claimstance.errors import ClaimstanceError, InputError, InternalError
from claimstance.schemas.models import Article, Extraction


class Extractor(Protocol):
    """What this module needs of an Extractor (the class imports this module)."""

    async def aextract(
        self, article_or_text: Article | str, *, targets: Sequence[str] | str | None = None
    ) -> Extraction: ...


Result = Extraction | ClaimstanceError
#: Called after each article with (finished, total or None when the input has no length).
ProgressCallback = Callable[[int, int | None], None]


async def _one(
    extractor: Extractor, item: Article | str | InputError, targets: Sequence[str] | str | None
) -> Result:
    if isinstance(item, InputError):
        item.article_id = item.article_id or item.source
        return item
    article_id = item.id if isinstance(item, Article) else None
    try:
        return await extractor.aextract(item, targets=targets)
    except ClaimstanceError as e:
        e.article_id = e.article_id or article_id or getattr(e, "source", None)
        return e
    except Exception as e:  # a bug in one article must not end the others
        error = InternalError(f"{type(e).__name__}: {e}")
        error.article_id = article_id
        return error


async def aextract_many(
    extractor: Extractor,
    articles: Iterable[Article | str | InputError],
    *,
    targets: Sequence[str] | str | None = None,
    concurrency: int = 4,
    ordered: bool = False,
    progress: bool | ProgressCallback = False,
) -> AsyncIterator[Result]:
    """Extraction or error per article; at most ``concurrency`` articles in flight."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    total = len(articles) if isinstance(articles, Sequence) else None
    report = _progress(progress, total)
    source = iter(articles)
    pending: list[asyncio.Task[Result]] = []
    done_count = 0
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < concurrency:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending.append(asyncio.create_task(_one(extractor, item, targets)))
            if not pending:
                return
            if ordered:
                finished = [await pending.pop(0)]
            else:
                done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                order = {task: n for n, task in enumerate(pending)}
                finished_tasks = sorted(done, key=order.__getitem__)
                pending = [t for t in pending if t not in done]
                finished = [t.result() for t in finished_tasks]
            for result in finished:
                done_count += 1
                report(done_count, total)
                yield result
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        report(-1, total)  # closes a progress bar


def _progress(progress: bool | ProgressCallback, total: int | None) -> ProgressCallback:
    """The caller's callback, a rich bar on stderr (``True``), or nothing."""
    if callable(progress):
        callback = progress
        return lambda done, total: None if done < 0 else callback(done, total)
    if not progress:
        return lambda done, total: None
    bar = Progress(console=Console(stderr=True), redirect_stdout=False)
    task = bar.add_task("extracting", total=total)
    bar.start()

    def update(done: int, total: int | None) -> None:
        if done < 0:
            bar.stop()
        else:
            bar.update(task, completed=done, total=total)

    return update
