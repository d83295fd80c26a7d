"""One article's result as the batch writer stores it: a finished JSON line plus accounting.

Shared by the in-process engine and by worker processes (:mod:`claimstance.batch.workers`),
which send the same line and accounting back over a pipe, so a job's files do not depend
on where an article was extracted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from claimstance.batch.manifest import now
from claimstance.errors import (
    ClaimstanceError,
    ExtractionError,
    InputError,
    InternalError,
    ProviderError,
)
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article, Usage


@dataclass
class Outcome:
    """A record ready for ``extractions.jsonl`` (or ``errors.jsonl`` when ``is_error``)."""

    line: str
    is_error: bool
    article_id: str | None
    usage: Usage | None
    cached: bool = False


def error_record(
    error: ClaimstanceError, *, article_id: str | None, source: str | None, usage: Usage | None
) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "source": source,
        "error": error.to_dict(),
        "usage": usage.model_dump() if usage is not None else None,
        "time": now(),
    }


def failure(error: ClaimstanceError, article: Article) -> Outcome:
    usage = error.usage if isinstance(error, ExtractionError | ProviderError) else None
    record = error_record(error, article_id=article.id, source=article.id, usage=usage)
    return Outcome(dumps(record), True, article.id, usage)


def input_failure(error: InputError) -> Outcome:
    """An input that is not an article (unreadable, a bad JSONL line, a clashing id)."""
    record = error_record(error, article_id=None, source=error.source, usage=None)
    return Outcome(dumps(record), True, None, None)


async def extract_outcome(extractor: Extractor, article: Article, targets: list[str]) -> Outcome:
    """Extract one article; any failure becomes an error record, never an exception."""
    try:
        extraction = await extractor.aextract(article, targets=targets)
    except ClaimstanceError as e:
        return failure(e, article)
    except Exception as e:  # a bug must not stop the other articles
        return failure(InternalError(f"{type(e).__name__}: {e}"), article)
    return Outcome(
        extraction.model_dump_json(),
        False,
        article.id,
        extraction.usage,
        cached=extraction.usage.cache_hit,
    )


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)
