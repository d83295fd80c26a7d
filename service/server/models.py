"""The request bodies of the HTTP API (responses are the schema's own models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claimstance.errors import InputError
from claimstance.schemas.models import Article

EXAMPLE_TEXT = (
    "Officials in Brussels said on Monday that the tariffs would be lifted. "
    '"We will not wait any longer," the trade commissioner said.'
)


class ExtractRequest(BaseModel):
    """``POST /v1/extract``: one article, the stance targets wanted, and the strategy."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "brussels-1",
                    "text": EXAMPLE_TEXT,
                    "title": "Tariffs to go",
                    "source": "Example Times",
                    "published": "2026-11-30",
                    "targets": ["tariffs"],
                }
            ]
        },
    )

    text: str = Field(description="The raw article text; every offset in the answer indexes it.")
    id: str | int | None = Field(None, description="Your id for the article (default: a hash).")
    title: str | None = None
    source: str | None = Field(None, description="Publisher or outlet.")
    url: str | None = None
    published: date | datetime | None = None
    targets: list[str] = Field(
        default_factory=list,
        description="Stance targets; none: the article's own salient entities.",
    )
    strategy: Literal["article", "guided"] | None = Field(
        None, description="Override the server's strategy for this article."
    )

    def article(self) -> Article:
        fields = self.model_dump(exclude={"targets", "strategy"}, exclude_none=True)
        try:
            return Article.model_validate(fields)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "article"
            raise InputError(
                f"invalid article: {where}: {first['msg']}",
                source=None if self.id is None else str(self.id),
            ) from None


class JobRequest(BaseModel):
    """``POST /v1/jobs`` as a JSON object (a bare array of articles, or JSONL, also works)."""

    model_config = ConfigDict(extra="forbid")

    articles: list[dict[str, object]] = Field(description="Article objects, as for /v1/extract.")
    targets: list[str] = Field(default_factory=list)
    strategy: Literal["article", "guided"] | None = None
