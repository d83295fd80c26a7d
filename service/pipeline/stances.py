"""Stances for grounded claims: toward the requested targets, or toward the entities of
the article that each claim names (:mod:`claimstance.stance.targets`).

Per claim and target the lexicon score is always computed (it is free); the model is
asked, in one one-token call whose log-probabilities are the answer, unless the method is
``lexicon`` or (combined) the claim has no sentiment word at all. ``combined`` sends one
plain text to the completions endpoint (as it was fitted: the small model reads that
best), ``model`` chat messages. Every stance carries
the sentence of the claim that carries it as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from claimstance.detect.cues import THIRD_PERSON_PRONOUNS
from claimstance.errors import ExtractionError, ProviderError
from claimstance.pipeline.context import RunContext
from claimstance.prompts import load_prompt
from claimstance.schemas.models import ExtractionWarning, Span, Stance, Target, Usage
from claimstance.stance.decide import NO_EVIDENCE, WORDS, decide
from claimstance.stance.lexicon import Scored, score_claim
from claimstance.stance.targets import Entity, claim_targets, given_target, listed
from claimstance.text.normalize import find_phrase, target_key, unique_targets

PROMPT_NAME = "guided_stance"
_WORD = re.compile(r"\w+")
NO_LOGPROBS = "stance_without_probabilities"


@dataclass(frozen=True)
class ClaimView:
    """What stance needs of a claim: its pieces in the text, its words, its speaker."""

    pieces: tuple[tuple[int, int], ...]
    proposition: str
    speaker: str


@dataclass
class StancePlan:
    """The targets of one article: requested ones, or the article's own entities."""

    given: list[str]
    entities: list[Entity]
    #: Each requested target's article entity, or None for a target the article never
    #: names; found once per article, not once per claim.
    named: dict[str, Entity | None] = field(init=False)

    def __post_init__(self) -> None:
        self.named = {name: entity_for(name, self.entities) for name in self.given}

    def targets(self, text: str, used: set[str]) -> list[Target]:
        """The Extraction's target list; ``used``: the targets some stance is toward."""
        if self.given:
            return [given_target(text, name) for name in self.given]
        return [entity.to_target(text) for entity in listed(self.entities, used)]

    def for_claim(self, claim: ClaimView) -> list[tuple[str, list[tuple[int, int]]]]:
        """The claim's targets, each with its mentions inside the claim."""
        if self.given:
            return [(n, e.named_in(claim.pieces) if e else []) for n, e in self.named.items()]
        return [(e.name, m) for e, m in claim_targets(self.entities, claim.pieces, claim.speaker)]

    def concerned(self, text: str, pieces: Sequence[tuple[int, int]]) -> frozenset[str]:
        """Keys of the targets a claim is about: every automatic target it is judged toward
        (it names them); a requested target the claim names, refers to by a pronoun, or
        that the article never names (a topic: nothing tells claims about it apart)."""
        if not self.given:
            return frozenset(target_key(e.name) for e in self.entities)
        words = {w.lower() for lo, hi in pieces for w in _WORD.findall(text[lo:hi])}
        keys = set()
        for name, entity in self.named.items():
            if entity is None or entity.named_in(pieces) or words & THIRD_PERSON_PRONOUNS:
                keys.add(target_key(name))
        return frozenset(keys)


def entity_for(target: str, entities: Sequence[Entity]) -> Entity | None:
    """The article entity a requested target names: the same name or form; or, for a
    person the article names by surname only ("Obama"), the target's last word. "Michelle
    Obama" is not the entity "Barack Obama"."""
    key = target_key(target)
    words = key.split()
    for entity in entities:
        forms = {target_key(f) for f in (entity.name, *entity.aliases)}
        if key in forms:
            return entity
    for entity in entities:
        name = target_key(entity.name).split()
        if entity.kind == "person" and len(name) == 1 and words[-1:] == name:
            return entity
    return None


def plan(targets: Sequence[str], entities: list[Entity]) -> StancePlan:
    return StancePlan(given=unique_targets(targets), entities=entities)


async def read_evidence(
    text: str,
    claim: ClaimView,
    target: str,
    mentions: Sequence[tuple[int, int]],
    context: RunContext,
    method: str,
    *,
    always_ask: bool = False,
) -> tuple[Scored, dict[str, float] | None, Usage]:
    """The lexicon's score of the claim toward ``target`` and, when ``method`` asks for
    it, the model's answer-word mass (None: not asked, or no log-probabilities).
    ``always_ask``: ask the model even where the method would not (for fitting)."""
    scored = score_claim(text, claim.pieces, mentions)
    skip = method == "lexicon" or (method == "combined" and abs(scored.compound) < NO_EVIDENCE)
    if skip and not always_ask:
        return scored, None, Usage(cache_hit=True)
    prompt = load_prompt(PROMPT_NAME)
    speaker = claim.speaker if claim.speaker != "unknown" else "Someone"
    variables = {"speaker": speaker, "quote": claim.proposition, "target": target}
    # The combined weights were fitted on the small model reading one plain text (no chat
    # template); a capable model deciding alone is asked in chat turns.
    plain = method == "combined"
    request = prompt.render_text(**variables) if plain else prompt.render(**variables)
    mass, usage = await context.ask_words(
        prompt, request, WORDS, strategy="guided", targets=[target]
    )
    return scored, mass, usage


async def judge(
    text: str, claim: ClaimView, stance_plan: StancePlan, context: RunContext
) -> tuple[list[Stance], Usage, list[ExtractionWarning]]:
    """One stance per target of the claim, in the plan's order. A failed call's error
    carries the usage of the claim's calls before it as well as its own."""
    method = context.settings.resolved_stance_method
    usage = Usage(cache_hit=True)
    stances: list[Stance] = []
    warnings: list[ExtractionWarning] = []
    for name, mentions in stance_plan.for_claim(claim):
        try:
            scored, mass, call_usage = await read_evidence(
                text, claim, name, mentions, context, method
            )
        except (ProviderError, ExtractionError) as e:
            e.usage = usage + (e.usage or Usage())  # the claim's earlier calls count too
            raise
        usage = usage + call_usage
        if mass is None and call_usage.calls + call_usage.cached_calls and not warnings:
            warnings.append(
                ExtractionWarning(
                    code=NO_LOGPROBS,
                    message="the endpoint returned no token log-probabilities; stances "
                    "were decided by the lexicon",
                )
            )
        decision = decide(scored.compound, mass, method=method)
        evidence = None
        if scored.end > scored.start:
            evidence = Span(
                text=text[scored.start : scored.end],
                start=scored.start,
                end=scored.end,
                alignment="detected",
            )
        stances.append(
            Stance(
                target=name,
                label=decision.label,
                confidence=decision.confidence,
                basis=decision.basis,
                evidence=evidence,
            )
        )
    return stances, usage, warnings


def canonical_stances(
    text: str, stances: Sequence[Stance], entities: Sequence[Entity]
) -> tuple[list[Stance], list[ExtractionWarning]]:
    """A capable model's free-text targets mapped onto the article's entities.

    A target that names an entity (its name, or one of its forms) takes the entity's
    canonical name; one the article itself contains as whole words is kept as written;
    any other (a target the model invented) is dropped with a warning, and so is a second
    stance of the claim toward the same target.
    """
    by_key: dict[str, str] = {}
    for entity in entities:
        for form in (entity.name, *entity.aliases):
            by_key.setdefault(target_key(form), entity.name)
    kept: list[Stance] = []
    warnings: list[ExtractionWarning] = []
    seen: set[str] = set()
    for stance in stances:
        name = by_key.get(target_key(stance.target))
        if name is None and find_phrase(text, stance.target):
            name = " ".join(stance.target.split())
        if name is None:
            warnings.append(
                ExtractionWarning(
                    code="stance_target_not_in_article",
                    message=f"dropped a stance toward {stance.target!r}: the article does "
                    "not name it",
                    detail={"target": stance.target},
                )
            )
            continue
        if target_key(name) in seen:
            warnings.append(
                ExtractionWarning(
                    code="stance_target_repeated",
                    message=f"dropped a second stance of one claim toward {name!r} "
                    f"(given as {stance.target!r}); the first is kept",
                    detail={"target": stance.target},
                )
            )
            continue
        seen.add(target_key(name))
        kept.append(stance.model_copy(update={"target": name}))
    return kept, warnings
