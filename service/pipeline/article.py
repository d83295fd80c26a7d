"""The article strategy: one generative call per article or chunk, for capable models.

The model returns text only (``ArticleDraft``); every quote, mention, cue and piece of
evidence is then located in the raw text by :mod:`claimstance.grounding.locate`. A quote that
cannot be located makes the answer fail validation, so instructor re-asks with the
reason; if it still cannot be located it is dropped with a warning.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from claimstance.errors import ExtractionError, ProviderError
from claimstance.grounding.locate import align
from claimstance.grounding.quote_align import align_quote
from claimstance.llm.answers import parse_json_payload
from claimstance.pipeline.assemble import GroundedClaim, interrupted_parts
from claimstance.pipeline.context import RunContext
from claimstance.pipeline.registry import SpeakerDraft
from claimstance.pipeline.stances import canonical_stances
from claimstance.prompts import load_prompt
from claimstance.schemas.drafts import DRAFT_CHECK, ArticleDraft, ClaimDraft, DraftCheck
from claimstance.schemas.models import Article, ExtractionWarning, Span, Stance, Target, Usage
from claimstance.stance.targets import find_entities, given_target, listed

PROMPT_NAME = "article"
LEDE_CHARS = 600
MENTION_WINDOW = 400
CUE_WINDOW = 160


@dataclass
class StrategyResult:
    claims: list[GroundedClaim] = field(default_factory=list)
    usage: Usage = field(default_factory=lambda: Usage(cache_hit=True))
    warnings: list[ExtractionWarning] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def draft_check(
    text: str, window: tuple[int, int], targets: Sequence[str], threshold: float
) -> DraftCheck:
    """Validation hook: one instruction per claim the service could not ground."""

    def check(draft: ArticleDraft) -> list[str]:
        problems: list[str] = []
        for index, claim in enumerate(draft.claims):
            if align_quote(claim.quote, text, window=window, threshold=threshold) is None:
                problems.append(
                    f"claims[{index}].quote {claim.quote[:120]!r} does not occur in the article: "
                    "copy the quoted words exactly as written, or leave the claim out"
                )
            given = {s.target.casefold().strip() for s in claim.stances}
            missing = [t for t in targets if t.casefold().strip() not in given]
            if missing:
                problems.append(f"claims[{index}].stances lacks a stance toward {missing}")
        return problems

    return check


def chunk_messages(
    article: Article,
    targets: Sequence[str],
    window: tuple[int, int],
    part: int,
    part_count: int,
) -> list[dict[str, str]]:
    """The article prompt for one chunk (shared with provider batch mode)."""
    start, end = window
    return load_prompt(PROMPT_NAME).render(
        title=article.title,
        text=article.text[start:end],
        part=part,
        part_count=part_count,
        lede=article.text[:LEDE_CHARS] if start > 0 else "",
        targets=list(targets),
    )


def ground_draft(
    draft: ArticleDraft, text: str, window: tuple[int, int], threshold: float, usage: Usage
) -> StrategyResult:
    """One chunk's answer grounded in the raw text (live and provider-batch paths alike)."""
    result = StrategyResult(usage=usage)
    for claim_draft in draft.claims:
        grounded = ground_claim(claim_draft, text, window, threshold)
        if isinstance(grounded, ExtractionWarning):
            result.warnings.append(grounded)
        else:
            result.claims.append(grounded)
    return result


async def run_article(
    article: Article, targets: Sequence[str], context: RunContext
) -> StrategyResult:
    settings = context.settings
    text = article.text
    ranges = context.chunk_ranges(text)
    prompt = load_prompt(PROMPT_NAME)

    async def one_chunk(part: int, window: tuple[int, int]) -> StrategyResult:
        messages = chunk_messages(article, targets, window, part, len(ranges))
        token = DRAFT_CHECK.set(draft_check(text, window, targets, settings.fuzzy_threshold))
        try:
            draft, usage, degraded = await context.ask(
                ArticleDraft,
                prompt,
                messages,
                strategy="article",
                targets=targets,
                fallback=lenient_draft,
            )
        finally:
            DRAFT_CHECK.reset(token)
        result = ground_draft(draft, text, window, settings.fuzzy_threshold, usage)
        if degraded is not None:
            result.warnings.append(
                ExtractionWarning(
                    code="answer_incomplete",
                    message=f"characters {window[0]}-{window[1]}: the model's answer was "
                    f"incomplete: {degraded}; its {len(draft.claims)} well-formed claim(s) "
                    "were kept",
                    detail={"window": list(window), "reason": degraded},
                )
            )
        return result

    outcomes = await asyncio.gather(
        *(one_chunk(i + 1, w) for i, w in enumerate(ranges)), return_exceptions=True
    )
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    fatal = [f for f in failures if not isinstance(f, ExtractionError)]
    if fatal:  # transport or configuration: the article as a whole failed
        _count_all(fatal[0], outcomes)
        raise fatal[0]
    if failures and len(failures) == len(outcomes):
        _count_all(failures[0], outcomes)
        raise failures[0]
    total = StrategyResult()
    for window, outcome in zip(ranges, outcomes, strict=True):
        if isinstance(outcome, BaseException):  # one chunk of several: keep the others
            assert isinstance(outcome, ExtractionError)
            total.usage = total.usage + (outcome.usage or Usage())
            total.warnings.append(
                ExtractionWarning(
                    code="chunk_failed",
                    message=f"characters {window[0]}-{window[1]} yielded no usable answer: "
                    f"{str(outcome)[:300]}",
                    detail={"window": list(window), "attempts": outcome.attempts},
                )
            )
            continue
        total.claims += outcome.claims
        total.usage = total.usage + outcome.usage
        total.warnings += outcome.warnings
    if targets:
        total.targets = [given_target(text, name) for name in targets]
        return total
    entities = await asyncio.to_thread(find_entities, text)
    for claim in total.claims:
        claim.stances, dropped = canonical_stances(text, claim.stances, entities)
        total.warnings += dropped
    used = {s.target for claim in total.claims for s in claim.stances}
    total.targets = [entity.to_target(text) for entity in listed(entities, used)]
    return total


def _count_all(error: BaseException, outcomes: Sequence[StrategyResult | BaseException]) -> None:
    """The failing article's error carries the requests of every chunk, not its own only."""
    if not isinstance(error, ExtractionError | ProviderError):
        return
    total = Usage()
    for outcome in outcomes:
        if isinstance(outcome, StrategyResult):
            total = total + outcome.usage
        elif isinstance(outcome, ExtractionError | ProviderError):
            total = total + (outcome.usage or Usage())
    error.usage = total


def lenient_draft(error: ExtractionError) -> tuple[str, str | None] | None:
    """The last answer's well-formed claims, without the grounding check, and why the
    answer is degraded: cut off by the token limit, or claims that broke the schema. A
    complete answer whose only fault is an ungrounded quote is not degraded: that quote
    is dropped with its own warning when the kept claims are grounded like any others.
    """
    if not error.last_output:
        return None
    try:
        payload = parse_json_payload(error.last_output, partial=True)
    except ValueError:
        return None
    raw_claims = payload.get("claims") if isinstance(payload, dict) else None
    if not isinstance(raw_claims, list):
        return None
    claims = []
    broken = 0
    for raw in raw_claims:
        try:
            claims.append(ClaimDraft.model_validate(raw))
        except ValidationError:
            broken += 1
    try:
        parse_json_payload(error.last_output)
        cut = error.cut_off  # finish_reason "length": what came after the last claim is missing
    except ValueError:
        cut = True
    reasons = []
    if cut:
        reasons.append("the answer was cut off before its end (CLAIMSTANCE_MAX_TOKENS)")
    if broken:
        reasons.append(f"{broken} claim(s) did not fit the schema and were left out")
    answer = ArticleDraft.model_construct(claims=claims).model_dump_json()
    return answer, "; ".join(reasons) or None


def ground_claim(
    draft: ClaimDraft, text: str, window: tuple[int, int], threshold: float
) -> GroundedClaim | ExtractionWarning:
    located = align_quote(draft.quote, text, window=window, threshold=threshold)
    if located is None:
        return ExtractionWarning(
            code="quote_not_grounded",
            message=f"dropped a claim whose quote is not in the article: {draft.quote[:200]!r}",
            detail={"quote": draft.quote, "speaker": draft.speaker, "window": list(window)},
        )
    quote = located.extent.to_span(text)
    parts = [p.to_span(text) for p in located.parts] or [
        Span(text=text[a:b], start=a, end=b, alignment=quote.alignment, score=quote.score)
        for a, b in interrupted_parts(text, quote.start, quote.end)
    ]
    near = quote.start
    mention = _locate(draft.speaker_mention, text, quote, MENTION_WINDOW, threshold)
    if mention is None and draft.speaker_mention:
        mention = _locate(draft.speaker, text, quote, MENTION_WINDOW, threshold)
    cue = _locate(draft.cue, text, quote, CUE_WINDOW, threshold, outside=parts or [quote])
    stances = []
    for stance in draft.stances:
        evidence = None
        if stance.evidence:
            found = align(
                stance.evidence,
                text,
                window=(quote.start, quote.end),
                near=near,
                threshold=threshold,
            )
            evidence = found.to_span(text) if found else None
        stances.append(
            Stance(
                target=stance.target.strip(),
                label=stance.label,
                # A label the model wrote, not one read from log-probabilities: its stated
                # "confidence" is not a probability, so none is claimed.
                confidence=None,
                basis="model",
                evidence=evidence or quote,
            )
        )
    speaker = SpeakerDraft(
        name=draft.speaker.strip() or "unknown",
        mention=mention,
        role=draft.speaker_role,
        affiliation=draft.speaker_affiliation,
        kind=draft.speaker_kind,
    )
    return GroundedClaim(
        quote=quote,
        parts=parts,
        claim=draft.claim.strip(),
        speaker=speaker,
        cue=cue,
        stances=stances,
        topics=[t.strip() for t in draft.topics if t.strip()][:5],
    )


def _locate(
    needle: str | None,
    text: str,
    quote: Span,
    radius: int,
    threshold: float,
    *,
    outside: Sequence[Span] = (),
) -> Span | None:
    """The occurrence of ``needle`` nearest the quote but not inside the quoted words.

    For a quote interrupted by its cue, the gap between the parts is searched first.
    """
    if not needle or not needle.strip():
        return None
    for left, right in itertools.pairwise(outside):
        found = align(needle, text, window=(left.end, right.start), threshold=threshold)
        if found is not None:
            return found.to_span(text)
    low, high = max(0, quote.start - radius), min(len(text), quote.end + radius)
    found = align(needle, text, window=(low, high), near=quote.start, threshold=threshold)
    if found is not None and any(s.start <= found.start < s.end for s in outside):
        options = [
            f
            for f in (
                align(
                    needle, text, window=(low, quote.start), near=quote.start, threshold=threshold
                ),
                align(needle, text, window=(quote.end, high), near=quote.end, threshold=threshold),
            )
            if f is not None
        ]
        found = min(options, key=lambda f: abs(f.start - quote.start)) if options else None
    return found.to_span(text) if found else None
