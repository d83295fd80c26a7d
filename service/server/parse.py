"""The body of ``POST /v1/jobs``: a JSON array, a JSON object, or JSONL.

Articles become the job's ``input.jsonl`` one line each, unchanged: a malformed article
is not a reason to refuse the job, it becomes that article's input error in
``errors.jsonl`` (as in ``claimstance batch``). A body that is none of the three, or
holds no article, is refused.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from claimstance.errors import InputError
from claimstance.server.models import JobRequest

JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/ndjson", "text/plain")


def job_lines(body: bytes, content_type: str | None) -> tuple[list[bytes], list[str], str | None]:
    """(JSONL lines, targets given in the body, strategy given in the body)."""
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind in JSONL_TYPES:
        lines = [line for line in body.splitlines() if line.strip()]
        targets: list[str] = []
        strategy = None
    else:
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError) as e:
            raise InputError(
                f"the body is not JSON ({e}); send JSONL as application/x-ndjson"
            ) from None
        if isinstance(data, list):
            data = {"articles": data}
        try:
            request = JobRequest.model_validate(data)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise InputError(f"invalid job: {where}: {first['msg']}") from None
        # ASCII escapes: a lone surrogate (valid JSON, not UTF-8) stays writable, and the
        # engine reports it as that line's input error.
        lines = [json.dumps(a, ensure_ascii=True).encode("ascii") for a in request.articles]
        targets, strategy = request.targets, request.strategy
    if not lines:
        raise InputError("the job has no articles")
    return lines, targets, strategy
