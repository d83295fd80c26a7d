"""The guided strategy: deterministic detection, then narrow decisions.

Small local models cannot write a whole article's extraction. :mod:`claimstance.detect.detector`
finds the quotations, cues, reported speech and ranked candidate speakers, and its best
candidate is the speaker (SmolLM2-135M choosing among the candidates scored lower on
PolNeAR dev than the ranking: speaker accuracy 0.929 against 0.936). Stances are judged
toward the requested targets, or toward the article's entities each claim names
(:mod:`claimstance.pipeline.stances`), by the lexicon and, where it measurably helps, by
the model's label probabilities. Every span comes from the detector or the entity list,
so it is grounded by construction.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from claimstance.detect.candidates import Candidate, Piece
from claimstance.detect.detector import DetectedClaim, detect_claims
from claimstance.detect.parser import MAX_PARSE_CHARS, parser_problem
from claimstance.errors import ExtractionError, ProviderError
from claimstance.pipeline.article import StrategyResult
from claimstance.pipeline.assemble import GroundedClaim, build_extraction
from claimstance.pipeline.context import RunContext
from claimstance.pipeline.registry import UNKNOWN, SpeakerDraft, SpeakerRegistry
from claimstance.pipeline.stances import PROMPT_NAME, ClaimView, StancePlan, judge, plan
from claimstance.schemas.models import (
    Article,
    Extraction,
    ExtractionWarning,
    Span,
    Stance,
    Usage,
)
from claimstance.stance.consistency import carry_over
from claimstance.stance.targets import find_entities
from claimstance.text.glyphs import DOUBLE_MARKS, QUOTE_MARKS, SINGLE_LOOKALIKES

PROMPT_NAMES: tuple[str, ...] = (PROMPT_NAME,)
_MARKS = QUOTE_MARKS + SINGLE_LOOKALIKES
_DOUBLE = DOUBLE_MARKS
QUOTE_CHARS = 400


async def run_guided(
    article: Article, targets: Sequence[str], context: RunContext
) -> StrategyResult:
    text = article.text
    # The parse takes about 0.1 s per article: off the event loop, so others go on.
    found = await asyncio.to_thread(detect_claims, text)
    detected = [claim for claim in found if not claim.is_fragment]
    entities = await asyncio.to_thread(find_entities, text)
    stance_plan = plan(targets, entities)
    decided = _all_or_failure(
        await asyncio.gather(
            *(_decide(d, text, stance_plan, context) for d in detected), return_exceptions=True
        )
    )
    _carry_speaker_stances(text, decided, stance_plan)
    used = {s.target for claim, _, _ in decided for s in claim.stances}
    result = StrategyResult(targets=stance_plan.targets(text, used))
    problem = parser_problem()
    if problem is None and len(text) > MAX_PARSE_CHARS:
        problem = f"the article is longer than {MAX_PARSE_CHARS:,} characters"
    if problem is not None:
        result.warnings.append(
            ExtractionWarning(
                code="parser_unavailable",
                message=f"reported speech found by word patterns only: {problem}",
            )
        )
    for claim, usage, warnings in decided:
        result.claims.append(claim)
        result.usage = result.usage + usage
        known = {w.code for w in result.warnings}
        result.warnings += [w for w in warnings if w.code not in known]
    return result


Decided = tuple[GroundedClaim, Usage, list[ExtractionWarning]]


def _carry_speaker_stances(text: str, decided: Sequence[Decided], stance_plan: StancePlan) -> None:
    """A claim without sentiment words takes its speaker's prevailing stance toward a target
    it concerns (see :mod:`claimstance.stance.consistency`). Speakers are the registry's:
    two spokesmen of different bodies are two speakers."""
    registry = SpeakerRegistry(text)
    for claim, _, _ in decided:
        registry.add(claim.speaker)
    keyed = [
        (
            None if c.speaker.name == UNKNOWN else registry.id_for(c.speaker),
            c.stances,
            stance_plan.concerned(text, [(p.start, p.end) for p in c.parts or [c.quote]]),
        )
        for c, _, _ in decided
    ]
    for (claim, _, _), stances in zip(decided, carry_over(keyed), strict=True):
        claim.stances = stances


def _all_or_failure(outcomes: Sequence[Decided | BaseException]) -> list[Decided]:
    """Every claim's decision, or the article's first failure carrying the usage of every
    request the article sent: the claims answered, and each failed call's own requests
    (the batch records it under the article and counts it in the job's accounting)."""
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if not failures:
        return [o for o in outcomes if not isinstance(o, BaseException)]
    first = next((f for f in failures if not isinstance(f, Exception)), failures[0])
    if isinstance(first, ProviderError | ExtractionError):
        usage = Usage()
        counted: set[int] = set()  # claims sharing one in-flight call share its error
        for outcome in outcomes:
            if isinstance(outcome, ProviderError | ExtractionError) and id(outcome) not in counted:
                counted.add(id(outcome))
                usage = usage + (outcome.usage or Usage())
            elif not isinstance(outcome, BaseException):
                usage = usage + outcome[1]
        first.usage = usage
    raise first


def _span(text: str, piece: Piece) -> Span:
    return Span(
        text=text[piece.start : piece.end], start=piece.start, end=piece.end, alignment="detected"
    )


def _clip(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def proposition(text: str, claim: DetectedClaim) -> str:
    """The claimed content as one line: the marks around a wholly quoted piece and the
    complementiser of reported speech ("said that …") removed; a quotation's own words,
    "That" included, and the marks inside a mixed claim are kept."""
    pieces = claim.parts or (claim.quote,)
    content = " ".join(_unquote(text[p.start : p.end].strip()) for p in pieces)
    content = " ".join(content.split()).rstrip(",;:")  # “…,” he said: the comma is the quoting's
    if claim.kind != "direct":
        content = re.sub(r"^that\s+", "", content, flags=re.I)
    return content[:1].upper() + content[1:] if content else content


def _unquote(piece: str) -> str:
    """A piece enclosed in quotation marks without them; any other piece as it is."""
    if len(piece) >= 2 and piece[0] in _MARKS and piece[-1] in _MARKS + ".,":
        inner = piece[1:].rstrip(".,")
        body = inner[:-1]
        if inner[-1:] in _MARKS and not any(ch in _DOUBLE for ch in body):
            return body.strip()  # one quotation, not “A” and “B”
    return piece


async def _decide(
    claim: DetectedClaim, text: str, stance_plan: StancePlan, context: RunContext
) -> Decided:
    speaker = best_candidate(text, claim)
    view = claim_view(text, claim, speaker.name)
    stances, usage, warnings = await judge(text, view, stance_plan, context)
    return grounded(text, claim, speaker, stances), usage, warnings


def claim_view(text: str, claim: DetectedClaim, speaker: str | None = None) -> ClaimView:
    """What stance reads of a detected claim: its pieces, its words, its speaker."""
    pieces = tuple((p.start, p.end) for p in (claim.parts or (claim.quote,)))
    name = speaker if speaker is not None else best_candidate(text, claim).name
    return ClaimView(pieces, _clip(proposition(text, claim), QUOTE_CHARS), name)


def grounded(
    text: str, claim: DetectedClaim, speaker: SpeakerDraft, stances: Sequence[Stance] = ()
) -> GroundedClaim:
    """A detected claim with its speaker decided, ready for assembly."""
    return GroundedClaim(
        quote=_span(text, claim.quote),
        parts=[_span(text, p) for p in claim.parts],
        claim=proposition(text, claim),
        speaker=speaker,
        kind=claim.kind,
        cue=_span(text, claim.cue) if claim.cue else None,
        stances=list(stances),
    )


def best_candidate(text: str, claim: DetectedClaim) -> SpeakerDraft:
    """The detector's own choice of speaker (what the model decides between otherwise)."""
    if not claim.candidates:
        return SpeakerDraft(name=UNKNOWN, kind="unknown")
    return _draft_for(claim.candidates[0], text)


def _draft_for(candidate: Candidate, text: str) -> SpeakerDraft:
    return SpeakerDraft(
        name=candidate.name,
        mention=_span(text, candidate.mention),
        role=candidate.role,
        affiliation=candidate.affiliation,
        kind=candidate.kind,  # type: ignore[arg-type]
    )


def detector_extraction(article: Article, *, parse: bool = True) -> Extraction:
    """The guided strategy without a model: the detector's claims, each with its best
    candidate speaker and no stance (for measuring the detector, and as an offline view)."""
    text = article.text
    found = [c for c in detect_claims(text, parse=parse) if not c.is_fragment]
    return build_extraction(
        article,
        [grounded(text, c, best_candidate(text, c)) for c in found],
        targets=[],
        model="detector",
        strategy="guided",
        prompt_version="-",
        usage=Usage(cache_hit=True),
        warnings=[],
    )
