"""The request bodies of the HTTP API (responses are the schema's own models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

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

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "articles": [
                        {"id": "brussels-1", "text": EXAMPLE_TEXT, "source": "Example Times"},
                        {"id": "brussels-2", "text": "“Not yet,” the minister said."},
                    ],
                    "targets": ["tariffs"],
                }
            ]
        },
    )

    articles: list[dict[str, object]] = Field(description="Article objects, as for /v1/extract.")
    targets: list[str] = Field(default_factory=list)
    strategy: Literal["article", "guided"] | None = None


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable error code (claimstance.errors).")
    message: str
    article_id: str | None = Field(None, description="The article it concerns, if one.")
    retryable: bool | None = Field(None, description="provider: whether trying later may help.")


class ErrorBody(BaseModel):
    """Every error answer: ``{"error": {"code", "message", "article_id"?}}``."""

    error: ErrorDetail


_ERRORS = {
    401: "unauthorized: no bearer token, or a wrong one",
    404: "not_found: no such job",
    409: "not_ready: the job's table is not built yet",
    413: "too_large: the body or an article is over its limit",
    422: "input: the request or an article cannot be read",
    500: "internal: a bug in the server (details in its log)",
    502: "provider or extraction: the model endpoint failed",
    503: "busy: every request slot is taken; see Retry-After",
    504: "timeout: the article took longer than CLAIMSTANCE_REQUEST_TIMEOUT",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The OpenAPI ``responses`` of a route for these error statuses (ErrorBody each)."""
    return {s: {"model": ErrorBody, "description": _ERRORS[s]} for s in (401, 500, *statuses)}


#: The body of POST /v1/jobs, read raw by the route (so JSONL can be posted too).
JOB_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        JobRequest.model_json_schema(),
                        {"type": "array", "items": {"type": "object"}, "title": "Articles"},
                    ]
                },
                "example": {
                    "articles": [{"id": "brussels-1", "text": EXAMPLE_TEXT}],
                    "targets": ["tariffs"],
                },
            },
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "One article object per line."},
                "example": '{"id": "brussels-1", "text": "“We will not wait,” she said."}\n',
            },
        },
    }
}


#: What the streaming routes answer, for the API description.
JSONL: dict[int | str, dict[str, Any]] = {
    200: {"description": "JSON lines", "content": {"application/x-ndjson": {}}}
}
RESULTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Extractions as JSON lines, or the claims table",
        "content": {
            "application/x-ndjson": {},
            "text/csv": {},
            "application/vnd.apache.parquet": {},
        },
    }
}
