"""From grounded claims of either strategy to one Extraction.

Both strategies end here, so merging, the speaker registry, stance completion and the
output contract are the same whichever way the claims were found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from claimstance.pipeline.registry import SpeakerDraft, SpeakerRegistry
from claimstance.schemas.models import (
    Article,
    Claim,
    ClaimKind,
    Extraction,
    ExtractionWarning,
    Span,
    Speaker,
    Stance,
    Strategy,
    Target,
    Usage,
)
from claimstance.text.glyphs import (
    CLOSING_MARKS,
    DOUBLE_CLOSING,
    DOUBLE_MARKS,
    DOUBLE_OPENING,
    DOUBLE_STRAIGHT,
    OPENING_MARKS,
    SINGLE_CLOSING,
    SINGLE_LOOKALIKES,
    SINGLE_OPENING,
    SINGLE_STRAIGHT,
    char_class,
)
from claimstance.text.normalize import target_key

_OPENERS = OPENING_MARKS + SINGLE_LOOKALIKES
_CLOSERS = CLOSING_MARKS + SINGLE_LOOKALIKES + ".,"
# A single mark that is also an apostrophe counts only where it cannot be one.
_ANY_MARK = re.compile(
    "[" + char_class(DOUBLE_MARKS) + "]"
    r"|(?<!\w)[" + char_class(SINGLE_OPENING + SINGLE_STRAIGHT) + "]"
    "|[" + char_class(SINGLE_CLOSING + SINGLE_STRAIGHT) + r"](?!\w)"
)


@dataclass
class GroundedClaim:
    """A claim whose spans are located in the raw text; not yet merged or registered."""

    quote: Span
    parts: list[Span]
    claim: str
    speaker: SpeakerDraft
    kind: ClaimKind | None = None
    cue: Span | None = None
    stances: list[Stance] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def structural_kind(quote: str) -> ClaimKind:
    """direct = enclosed in quotation marks; mixed = contains a quoted fragment."""
    stripped = quote.strip()
    if len(stripped) >= 2 and stripped[0] in _OPENERS and stripped[-1] in _CLOSERS:
        return "direct"
    return "mixed" if _ANY_MARK.search(stripped) else "indirect"


_DOUBLE_CLOSERS = DOUBLE_CLOSING + DOUBLE_STRAIGHT
_DOUBLE_OPENERS = DOUBLE_OPENING + DOUBLE_STRAIGHT
_INTERRUPTION = re.compile(
    r"([,.!?…]?[" + char_class(_DOUBLE_CLOSERS) + "])"
    r"([^" + char_class(DOUBLE_MARKS) + r"\n]{1,100}?)"
    "([" + char_class(_DOUBLE_OPENERS) + "])"
)


def interrupted_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of a direct quote interrupted by its cue: “A,” he said. “B.” -> [A, B].

    Only when the whole span is enclosed in double quotation marks and each gap between
    a closing and an opening mark is short and unquoted; otherwise no pieces.
    """
    segment = text[start:end]
    if len(segment) < 4 or segment[0] not in _DOUBLE_OPENERS or segment[-1] not in _DOUBLE_CLOSERS:
        return []
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for match in _INTERRUPTION.finditer(segment, 1, len(segment) - 1):
        gap = match.group(2)
        if segment[match.start()] == '"' and segment.count('"', 0, match.start()) % 2 == 0:
            continue  # a straight mark that opens, not closes
        if not gap.strip() or len(gap.split()) > 12:
            continue
        pieces.append((piece_start, start + match.end(1)))
        piece_start = start + match.start(3)
    if not pieces:
        return []
    pieces.append((piece_start, end))
    return pieces


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def merge_claims(claims: Sequence[GroundedClaim]) -> list[GroundedClaim]:
    """One claim per quote: overlapping duplicates (from chunk overlap) keep the longest."""
    kept: list[GroundedClaim] = []
    for claim in sorted(claims, key=lambda c: -(c.quote.end - c.quote.start)):
        duplicate = any(
            _overlap(claim.quote, other.quote)
            >= 0.5 * min(len(claim.quote.text), len(other.quote.text))
            for other in kept
        )
        if not duplicate:
            kept.append(claim)
    return sorted(kept, key=lambda c: (c.quote.start, c.quote.end))


def complete_stances(
    claim: GroundedClaim, targets: Sequence[str], warnings: list[ExtractionWarning]
) -> list[Stance]:
    """Exactly one stance per requested target, in the requested order."""
    if not targets:
        return claim.stances
    by_target = {target_key(s.target): s for s in claim.stances}
    completed: list[Stance] = []
    for target in targets:
        stance = by_target.get(target_key(target))
        if stance is None:
            warnings.append(
                ExtractionWarning(
                    code="stance_missing",
                    message=f"no stance toward {target!r} for the claim at "
                    f"{claim.quote.start}-{claim.quote.end}; recorded as neutral, no confidence",
                    detail={"target": target, "quote_start": claim.quote.start},
                )
            )
            stance = Stance(target=target, label="neutral")
        completed.append(stance if stance.target == target else replace_target(stance, target))
    return completed


def replace_target(stance: Stance, target: str) -> Stance:
    return stance.model_copy(update={"target": target})


def build_extraction(
    article: Article,
    claims: Sequence[GroundedClaim],
    *,
    targets: Sequence[str],
    model: str,
    strategy: Strategy,
    prompt_version: str,
    usage: Usage,
    warnings: Sequence[ExtractionWarning],
    target_list: Sequence[Target] = (),
) -> Extraction:
    all_warnings = list(warnings)
    merged = merge_claims(claims)
    registry = SpeakerRegistry(article.text)
    for claim in merged:
        registry.add(claim.speaker)
    profiles = {p.id: p for p in registry.profiles()}
    built: list[Claim] = []
    for claim in merged:
        speaker_id = registry.id_for(claim.speaker)
        profile = profiles[speaker_id]
        speaker = Speaker(
            id=profile.id,
            name=profile.name,
            mention=claim.speaker.mention,
            role=profile.role,
            affiliation=profile.affiliation,
            kind=profile.kind,
        )
        built.append(
            Claim(
                id=f"q{claim.quote.start}-{claim.quote.end}",
                quote=claim.quote,
                quote_parts=claim.parts if len(claim.parts) > 1 else [],
                kind=claim.kind or structural_kind(claim.quote.text),
                claim=claim.claim,
                cue=claim.cue,
                speaker=speaker,
                stances=complete_stances(claim, targets, all_warnings),
                topics=claim.topics,
            )
        )
    return Extraction(
        article_id=article.id,
        title=article.title,
        source=article.source,
        url=article.url,
        published=article.published,
        claims=built,
        speakers=list(profiles.values()),
        model=model,
        strategy=strategy,
        prompt_version=prompt_version,
        usage=usage,
        warnings=all_warnings,
        targets=list(target_list),
    )
