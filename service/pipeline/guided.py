"""The guided strategy: deterministic detection, then small constrained LLM decisions.

Small local models cannot write a whole article's extraction, but they answer narrow,
grammar-constrained questions well. :mod:`claimstance.detect.detector` finds the quotations,
cues, reported speech and ranked candidate speakers, and its best candidate is the speaker
(SmolLM2-135M choosing among the candidates scored lower on PolNeAR dev than the ranking:
speaker accuracy 0.929 against 0.936); the model only labels the stance toward each target
(favor / against / neutral). Every span comes from the detector, so it is grounded by
construction.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from claimstance.detect.candidates import Candidate, Piece
from claimstance.detect.detector import DetectedClaim, detect_claims
from claimstance.detect.parser import MAX_PARSE_CHARS, parser_problem
from claimstance.pipeline.article import StrategyResult
from claimstance.pipeline.assemble import GroundedClaim, build_extraction
from claimstance.pipeline.context import RunContext
from claimstance.pipeline.registry import UNKNOWN, SpeakerDraft
from claimstance.prompts import load_prompt
from claimstance.schemas.drafts import OpenStanceChoice, StanceChoice
from claimstance.schemas.models import (
    Article,
    Extraction,
    ExtractionWarning,
    Span,
    Stance,
    Usage,
)
from claimstance.text.glyphs import DOUBLE_MARKS, QUOTE_MARKS, SINGLE_LOOKALIKES

PROMPT_NAMES: tuple[str, ...] = ("guided_stance",)
_MARKS = QUOTE_MARKS + SINGLE_LOOKALIKES
_DOUBLE = DOUBLE_MARKS
QUOTE_CHARS = 400
#: Constrained decoding yields a label, not a probability; this says "model-decided".
GUIDED_CONFIDENCE = 0.5
DECISION_TOKENS = 64


async def run_guided(
    article: Article, targets: Sequence[str], context: RunContext
) -> StrategyResult:
    text = article.text
    # The parse takes about 0.1 s per article: off the event loop, so others go on.
    found = await asyncio.to_thread(detect_claims, text)
    detected = [claim for claim in found if not claim.is_fragment]
    decided = await asyncio.gather(*(_decide(d, text, targets, context) for d in detected))
    result = StrategyResult()
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
    for claim, usage in decided:
        result.claims.append(claim)
        result.usage = result.usage + usage
    return result


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
    claim: DetectedClaim, text: str, targets: Sequence[str], context: RunContext
) -> tuple[GroundedClaim, Usage]:
    speaker = best_candidate(text, claim)
    quote = _clip(proposition(text, claim), QUOTE_CHARS)
    stances, usage = await _stances(quote, speaker.name, targets, context)
    return grounded(text, claim, speaker, stances), usage


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


async def _stances(
    quote: str, speaker: str, targets: Sequence[str], context: RunContext
) -> tuple[list[Stance], Usage]:
    prompt = load_prompt("guided_stance")
    who = speaker if speaker != UNKNOWN else "Someone"
    usage = Usage(cache_hit=True)
    stances: list[Stance] = []
    if not targets:
        messages = prompt.render(speaker=who, quote=quote, target="")
        open_choice, usage = await context.ask(
            OpenStanceChoice, prompt, messages, strategy="guided", max_tokens=DECISION_TOKENS
        )
        target = " ".join(open_choice.target.split()) or "unspecified"
        return [Stance(target=target, label=open_choice.label, confidence=GUIDED_CONFIDENCE)], usage
    for target in targets:
        messages = prompt.render(speaker=who, quote=quote, target=target)
        choice, call_usage = await context.ask(
            StanceChoice,
            prompt,
            messages,
            strategy="guided",
            targets=[target],
            max_tokens=DECISION_TOKENS,
        )
        usage = usage + call_usage
        stances.append(Stance(target=target, label=choice.label, confidence=GUIDED_CONFIDENCE))
    return stances, usage


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
