"""Comparing two runs' outputs claim by claim (``claimstance diff``).

Claims are paired within an article by their quote span (start, end): the detector and
grounding place spans deterministically, so the same claim found twice has the same
offsets. A pair is *changed* when its speaker (name or id), kind, cue span or stances
differ: a label, a target, or a confidence further apart than ``tolerance``. A claim only
in the new run is *added*, only in the old one *removed*; an article only in one run is
listed whole. Usage, timings and prompt versions are not compared: they say how a result
was made, not what it says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimstance.errors import InputError
from claimstance.inputs import decode_text


@dataclass
class ClaimChange:
    claim_id: str
    quote: str
    start: int
    end: int
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        changes = {k: {"old": old, "new": new} for k, (old, new) in self.fields.items()}
        return {"claim_id": self.claim_id, "quote": self.quote, "start": self.start,
                "end": self.end, "changes": changes}  # fmt: skip


@dataclass
class ArticleDiff:
    article_id: str
    status: str = "same"  # same, changed, added (only new), removed (only old)
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[ClaimChange] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return self.status != "same"

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "status": self.status,
            "added": [_brief(c) for c in self.added],
            "removed": [_brief(c) for c in self.removed],
            "changed": [c.to_json() for c in self.changed],
        }


@dataclass
class RunDiff:
    articles: list[ArticleDiff]
    tolerance: float

    @property
    def differs(self) -> bool:
        return any(a.differs for a in self.articles)

    def totals(self) -> dict[str, int]:
        return {
            "articles": len(self.articles),
            "articles_changed": sum(a.differs for a in self.articles),
            "claims_added": sum(len(a.added) for a in self.articles),
            "claims_removed": sum(len(a.removed) for a in self.articles),
            "claims_changed": sum(len(a.changed) for a in self.articles),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "tolerance": self.tolerance,
            "totals": self.totals(),
            "articles": [a.to_json() for a in self.articles if a.differs],
        }


def _brief(claim: dict[str, Any]) -> dict[str, Any]:
    quote = claim.get("quote") or {}
    speaker = claim.get("speaker") or {}
    return {
        "claim_id": claim.get("id"),
        "quote": quote.get("text"),
        "start": quote.get("start"),
        "end": quote.get("end"),
        "speaker": speaker.get("name"),
        "kind": claim.get("kind"),
    }


def read_outputs(path: Path) -> dict[str, dict[str, Any]]:
    """Extractions by article id from a JSONL file or a batch job directory."""
    source = path / "extractions.jsonl" if path.is_dir() else path
    try:
        data = source.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", source=str(source)) from e
    found: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(decode_text(data, source=str(source)).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            found[str(record["article_id"])] = record
        except (ValueError, KeyError, TypeError) as e:
            message = f"line {number} is not an Extraction ({e})"
            raise InputError(message, source=str(source)) from None
    return found


def _stances(claim: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(s.get("target")): s for s in claim.get("stances") or []}


def _span(span: dict[str, Any] | None) -> tuple[Any, Any, Any] | None:
    return None if not span else (span.get("text"), span.get("start"), span.get("end"))


def compare_claims(
    old: dict[str, Any], new: dict[str, Any], tolerance: float
) -> dict[str, tuple[Any, Any]]:
    """What differs between two claims with the same quote span."""
    changes: dict[str, tuple[Any, Any]] = {}
    old_speaker, new_speaker = old.get("speaker") or {}, new.get("speaker") or {}
    for key in ("name", "id", "role", "affiliation"):
        if old_speaker.get(key) != new_speaker.get(key):
            changes[f"speaker.{key}"] = (old_speaker.get(key), new_speaker.get(key))
    if old.get("kind") != new.get("kind"):
        changes["kind"] = (old.get("kind"), new.get("kind"))
    if _span(old.get("cue")) != _span(new.get("cue")):
        changes["cue"] = (_span(old.get("cue")), _span(new.get("cue")))
    old_stances, new_stances = _stances(old), _stances(new)
    for target in sorted(set(old_stances) | set(new_stances)):
        before, after = old_stances.get(target), new_stances.get(target)
        if before is None or after is None:
            changes[f"stance[{target}]"] = (
                before and before.get("label"),
                after and after.get("label"),
            )
            continue
        if before.get("label") != after.get("label"):
            changes[f"stance[{target}].label"] = (before.get("label"), after.get("label"))
        a, b = before.get("confidence"), after.get("confidence")
        if (a is None) != (b is None) or (
            a is not None and b is not None and abs(a - b) > tolerance
        ):
            changes[f"stance[{target}].confidence"] = (a, b)
    return changes


def _by_span(extraction: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    claims: dict[tuple[int, int], dict[str, Any]] = {}
    for claim in extraction.get("claims") or []:
        quote = claim.get("quote") or {}
        claims[(int(quote.get("start", -1)), int(quote.get("end", -1)))] = claim
    return claims


def diff_article(
    article_id: str, old: dict[str, Any] | None, new: dict[str, Any] | None, tolerance: float
) -> ArticleDiff:
    result = ArticleDiff(article_id)
    if old is None or new is None:
        result.status = "added" if old is None else "removed"
        claims = list(((new if old is None else old) or {}).get("claims") or [])
        (result.added if old is None else result.removed).extend(claims)
        return result
    before, after = _by_span(old), _by_span(new)
    result.removed = [before[k] for k in sorted(before.keys() - after.keys())]
    result.added = [after[k] for k in sorted(after.keys() - before.keys())]
    for key in sorted(before.keys() & after.keys()):
        fields = compare_claims(before[key], after[key], tolerance)
        if fields:
            quote = (after[key].get("quote") or {}).get("text", "")
            result.changed.append(
                ClaimChange(str(after[key].get("id")), quote, key[0], key[1], fields)
            )
    if result.added or result.removed or result.changed:
        result.status = "changed"
    return result


def diff_runs(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], tolerance: float = 0.05
) -> RunDiff:
    ids = list(old) + [i for i in new if i not in old]
    return RunDiff([diff_article(i, old.get(i), new.get(i), tolerance) for i in ids], tolerance)


def rows(diff: RunDiff) -> Iterator[tuple[str, str, str, str]]:
    """(article, change, claim, what) for the terminal table."""
    for article in diff.articles:
        if not article.differs:
            continue
        if article.status in ("added", "removed"):
            yield (
                article.article_id,
                f"article {article.status}",
                "",
                f"{len(article.added or article.removed)} claims",
            )
            continue
        for claim in article.removed:
            yield article.article_id, "removed", _excerpt(claim), _who(claim)
        for claim in article.added:
            yield article.article_id, "added", _excerpt(claim), _who(claim)
        for change in article.changed:
            what = "; ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in change.fields.items())
            yield article.article_id, "changed", _cut(change.quote), what


def _excerpt(claim: dict[str, Any]) -> str:
    return _cut(str((claim.get("quote") or {}).get("text", "")))


def _who(claim: dict[str, Any]) -> str:
    return f"speaker {(claim.get('speaker') or {}).get('name')!r}, {claim.get('kind')}"


def _cut(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
