"""A speaker's prevailing stance on claims without sentiment words (stance/consistency.py)."""

from __future__ import annotations

from claimstance.schemas.models import Span, Stance
from claimstance.stance.consistency import carry_over

ABOUT = frozenset({"the dam"})


def _stance(label: str, confidence: float | None, basis: str, at: int = 0) -> Stance:
    evidence = Span(text="x", start=at, end=at + 1, alignment="detected")
    return Stance.model_validate(
        {
            "target": "the dam",
            "label": label,
            "confidence": confidence,
            "basis": basis,
            "evidence": evidence.model_dump(),
        }
    )


def test_a_claim_without_sentiment_takes_its_speakers_prevailing_stance() -> None:
    claims = [
        ("mayor", [_stance("against", 0.8, "lexicon", at=10)], ABOUT),
        ("mayor", [_stance("against", 0.6, "lexicon", at=20)], ABOUT),
        ("mayor", [_stance("neutral", None, "lexicon", at=30)], ABOUT),
    ]
    carried = carry_over(claims)[2][0]
    assert (carried.label, carried.basis, carried.confidence) == ("against", "speaker", 0.75)
    assert carried.evidence is not None and carried.evidence.start == 10  # the strongest


def test_other_speakers_split_stances_and_measured_labels_are_left_alone() -> None:
    claims = [
        ("mayor", [_stance("against", 0.8, "lexicon")], ABOUT),
        ("mayor", [_stance("favor", 0.7, "lexicon")], ABOUT),
        ("mayor", [_stance("neutral", None, "lexicon")], ABOUT),  # split: stays neutral
        ("critic", [_stance("neutral", None, "lexicon")], ABOUT),  # another speaker
        (None, [_stance("neutral", None, "lexicon")], ABOUT),  # unknown speaker
        ("mayor", [_stance("neutral", 0.9, "model")], ABOUT),  # a measured neutral
    ]
    out = carry_over(claims)
    assert [s[0].label for s in out] == [
        "against",
        "favor",
        "neutral",
        "neutral",
        "neutral",
        "neutral",
    ]


def test_one_other_claim_gives_no_more_confidence_than_it_has() -> None:
    claims = [
        ("mayor", [_stance("against", 0.54, "lexicon")], ABOUT),
        ("mayor", [_stance("neutral", None, "lexicon")], ABOUT),
    ]
    assert carry_over(claims)[1][0].confidence == 0.54  # not (1 + 1) / (1 + 2)


def test_a_claim_that_does_not_concern_the_target_takes_no_stance_toward_it() -> None:
    claims = [
        ("mayor", [_stance("against", 0.8, "lexicon")], ABOUT),
        ("mayor", [_stance("neutral", None, "lexicon")], frozenset()),  # "the meeting is at noon"
    ]
    assert carry_over(claims)[1][0].label == "neutral"
