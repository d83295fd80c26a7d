"""A speaker's stance carried to the same speaker's claims that show none.

Within one article a source keeps its attitude toward a target: a politician quoted five
times about a rival is critical in the sentences with sentiment words and in the ones
without. A claim with no sentiment word at all (neutral, nothing measured it) therefore
takes the label of the same speaker's other claims toward the same target, where those
agree; its evidence is the sentence of the other claim that carries that stance, and its
confidence the rule-of-succession estimate (k + 1) / (n + 2) from those n polar claims,
k of them with the label, never above the strongest of them: a stance read from one claim
is no surer than that claim. Only a claim that concerns the target takes a stance toward
it (the caller says which targets each claim concerns: those it names, or any where the
article never names the target). Claims of unknown speakers, and targets where the
speaker's stances are split evenly, are left alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from claimstance.schemas.models import Stance, StanceLabel
from claimstance.text.normalize import target_key

__all__ = ["Carried", "carry_over", "unmeasured"]


def unmeasured(stance: Stance) -> bool:
    """A neutral label that nothing measured: the claim has no sentiment word."""
    return stance.label == "neutral" and stance.confidence is None and stance.basis == "lexicon"


#: One claim: its speaker's key (None for an unknown speaker), its stances, and the keys
#: (:func:`target_key`) of the targets it concerns.
Carried = tuple[str | None, list[Stance], frozenset[str]]


def carry_over(claims: Sequence[Carried]) -> list[list[Stance]]:
    """Each claim's stances, in text order, with unmeasured neutral ones toward a target
    the claim concerns replaced by the speaker's prevailing stance."""
    polar: dict[tuple[str, str], list[Stance]] = defaultdict(list)
    for speaker, stances, _ in claims:
        if speaker is None:
            continue
        for s in stances:
            if s.label in ("favor", "against") and s.basis != "speaker":
                polar[speaker, target_key(s.target)].append(s)
    out: list[list[Stance]] = []
    for speaker, stances, concerned in claims:
        mine: list[Stance] = []
        for s in stances:
            key = target_key(s.target)
            others = polar.get((speaker, key), []) if speaker else []
            if unmeasured(s) and others and key in concerned:
                s = _prevailing(s, others) or s
            mine.append(s)
        out.append(mine)
    return out


def _prevailing(stance: Stance, others: list[Stance]) -> Stance | None:
    favor = sum(o.label == "favor" for o in others)
    against = len(others) - favor
    if favor == against:
        return None
    label: StanceLabel = "favor" if favor > against else "against"
    k = max(favor, against)
    carrier = max((o for o in others if o.label == label), key=lambda o: o.confidence or 0.0)
    estimate = (k + 1) / (len(others) + 2)
    if carrier.confidence is not None:
        estimate = min(estimate, carrier.confidence)
    return stance.model_copy(
        update={
            "label": label,
            "confidence": round(estimate, 4),
            "basis": "speaker",
            "evidence": carrier.evidence,
        }
    )
