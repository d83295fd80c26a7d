"""Files of provider batch mode: the run state, custom ids, and parsing batch answers."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from claimstance.batch.manifest import write_json_atomic
from claimstance.errors import ExtractionError, ProviderError
from claimstance.llm.answers import parse_json_payload
from claimstance.pipeline.article import lenient_draft
from claimstance.schemas.drafts import ArticleDraft
from claimstance.schemas.models import ExtractionWarning, Usage

SEP = "::"


@dataclass
class Shard:
    index: int
    file: str
    requests: int = 0
    input_file_id: str | None = None
    batch_id: str | None = None
    status: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    downloaded: bool = False


@dataclass
class BatchState:
    built: bool = False
    job: str = ""
    shards: list[Shard] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> BatchState:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        shards = [Shard(**s) for s in data.get("shards", [])]
        return cls(built=bool(data.get("built")), job=str(data.get("job", "")), shards=shards)

    def save(self, path: Path) -> None:
        write_json_atomic(
            path, {"built": self.built, "job": self.job, "shards": [asdict(s) for s in self.shards]}
        )


def custom_id(article_id: str, part: int, count: int) -> str:
    return f"{part}/{count}{SEP}{article_id}"


def parse_custom_id(value: str) -> tuple[str, int, int]:
    head, _, article_id = value.partition(SEP)
    part, _, count = head.partition("/")
    return article_id, int(part), int(count)


def read_line(path: Path, offset: int) -> dict[str, Any]:
    with path.open("rb") as f:
        f.seek(offset)
        record: dict[str, Any] = json.loads(f.readline())
        return record


def parse_answer(answer: dict[str, Any]) -> tuple[ArticleDraft, Usage, str | None]:
    """The parsed draft of one batch answer line, its usage and why it is degraded (None
    when it is not), or a typed error.

    As on the live path (:func:`claimstance.pipeline.article.lenient_draft`), an answer cut off
    at the token limit, or with claims that break the schema, keeps its well-formed claims
    and says why; one with no ``claims`` list at all fails. ``finish_reason: "length"``
    marks an answer cut off even when what came back happens to parse.
    """
    response = answer.get("response") or {}
    body = response.get("body") or {}
    status = response.get("status_code")
    error = answer.get("error") or (body.get("error") if isinstance(body, dict) else None)
    if status != 200 or error:
        message = (error or {}).get("message") if isinstance(error, dict) else error
        raise ProviderError(
            f"batch request failed (HTTP {status}): {message or 'no detail'}",
            retryable=status in (None, 408, 429, 500, 502, 503, 504),
            status_code=status,
        )
    raw_usage = body.get("usage") or {}
    usage = Usage(
        prompt_tokens=int(raw_usage.get("prompt_tokens") or 0),
        completion_tokens=int(raw_usage.get("completion_tokens") or 0),
        calls=1,
    )
    payload = _payload(body)
    cut = _finish_reason(body) == "length"
    try:
        draft = ArticleDraft.model_validate(
            parse_json_payload(payload or ""), context={"lenient": True}
        )
    except (ValueError, ValidationError) as e:
        failed = ExtractionError(
            f"the batch answer does not parse as ArticleDraft: {str(e)[:300]}",
            last_output=payload,
            attempts=1,
            usage=usage,
        )
        rescued = lenient_draft(failed)
        if rescued is None:
            raise failed from e
        kept, reason = rescued
        draft = ArticleDraft.model_validate_json(kept, context={"lenient": True})
    else:
        reason = None
    if cut and (reason is None or "cut off" not in reason):
        limit = "the answer was cut off at the token limit (finish_reason: length)"
        reason = f"{limit}; {reason}" if reason else limit
    return draft, usage, reason


def incomplete_warning(window: tuple[int, int], reason: str, kept: int) -> ExtractionWarning:
    """The live path's ``answer_incomplete`` warning for one chunk's degraded answer."""
    return ExtractionWarning(
        code="answer_incomplete",
        message=f"characters {window[0]}-{window[1]}: the model's answer was incomplete: "
        f"{reason}; its {kept} well-formed claim(s) were kept",
        detail={"window": list(window), "reason": reason},
    )


def _finish_reason(body: dict[str, Any]) -> str | None:
    try:
        reason = body["choices"][0].get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return reason if isinstance(reason, str) else None


def _payload(body: dict[str, Any]) -> str | None:
    try:
        message = body["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return None
    for call in message.get("tool_calls") or []:
        arguments = (call.get("function") or {}).get("arguments")
        if isinstance(arguments, str):
            return arguments
    content = message.get("content")
    return content if isinstance(content, str) else None
