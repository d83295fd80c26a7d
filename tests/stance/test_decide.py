"""Labels with real probabilities: from log-probabilities, else from the lexicon."""

from __future__ import annotations

import pytest

from claimstance.stance.decide import CROSSOVER, combined, decide, from_lexicon, from_model
from claimstance.stance.lexicon import score_claim


def test_the_model_s_label_probability_is_renormalised_over_the_labels() -> None:
    decision = from_model({"positive": 0.2, "negative": 0.5, "neutral": 0.1})
    assert decision is not None
    assert decision.label == "against" and decision.basis == "model"
    assert decision.confidence == pytest.approx(0.5 / 0.8, abs=1e-4)


def test_no_mass_on_any_label_is_no_decision_and_the_lexicon_takes_over() -> None:
    assert from_model({"positive": 0.0, "negative": 0.0, "neutral": 0.0}) is None
    assert decide(-0.8, {"positive": 0.0}, method="model").basis == "lexicon"
    assert decide(-0.8, None, method="model").label == "against"
    assert decide(-0.8, {"positive": 0.0, "negative": 0.0}, method="combined").basis == "lexicon"


def test_combined_weighs_the_lexicon_and_the_model_s_log_odds() -> None:
    mild = 0.4  # below the lexicon's own favor threshold
    assert from_lexicon(mild).label == "against"
    praise = combined(mild, {"positive": 0.9, "negative": 0.05})
    doubt = combined(mild, {"positive": 0.05, "negative": 0.9})
    assert (praise.label, praise.basis) == ("favor", "model+lexicon")
    assert doubt.label == "against"
    assert praise.confidence is not None and 0.5 <= praise.confidence <= 1.0
    # No sentiment word at all: neutral, and the model was not needed.
    assert combined(0.0, {"positive": 0.9}).label == "neutral"


def test_the_lexicon_without_sentiment_words_is_neutral_with_no_confidence() -> None:
    decision = from_lexicon(0.0)
    assert (decision.label, decision.confidence, decision.basis) == ("neutral", None, "lexicon")


def test_the_lexicon_confidence_grows_with_distance_from_the_threshold() -> None:
    near, far = from_lexicon(-0.1), from_lexicon(-0.9)
    assert near.label == far.label == "against"
    assert near.confidence is not None and far.confidence is not None
    assert 0.5 < near.confidence < far.confidence < 1.0
    assert from_lexicon(min(1.0, CROSSOVER + 0.3)).label == "favor"


def test_the_lexicon_reads_the_sentences_that_name_the_target() -> None:
    text = '"Smith is a wonderful, honest leader. Jones is a disgrace and a liar," she said.'
    end = text.index(" she said")
    smith = text.index("Smith")
    jones = text.index("Jones")
    toward_smith = score_claim(text, [(0, end)], [(smith, smith + 5)])
    toward_jones = score_claim(text, [(0, end)], [(jones, jones + 5)])
    assert toward_smith.compound > 0.5 > 0 > toward_jones.compound
    assert text[toward_jones.start : toward_jones.end].startswith("Jones is a disgrace")


def test_curly_apostrophes_do_not_hide_a_negation_from_the_lexicon() -> None:
    curly = score_claim("He doesn’t deserve praise.", [(0, 26)])
    straight = score_claim("He doesn't deserve praise.", [(0, 26)])
    assert curly.compound == straight.compound < 0
