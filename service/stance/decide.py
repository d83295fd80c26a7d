"""From evidence to a stance label with a probability.

Two sources of evidence, each a measurement, never a constant:

* the **model**: the probability mass of its one-word answers ("positive", "negative",
  "neutral") at the first answer token, read from the token log-probabilities;
* the **lexicon**: the VADER score of the claim toward the target (:mod:`.lexicon`).

Three ways to decide (``CLAIMSTANCE_STANCE_METHOD``; the README's stance section has the
figures behind the defaults):

* ``model``: the model's most probable word, its probability renormalised over the three
  (for capable models);
* ``combined``: a logistic model of the lexicon score and the model's log-odds of
  "positive" over "negative": weights fitted on BASIL dev quoted spans (Fan et al. 2019)
  with favor and against weighted equally, and the bias placed where favor/against
  macro-F1 is best, so 0.5 is the decision threshold (``python -m benchmarks.fit_stance``
  refits it and prints cross-validated figures); for the small embedded model, whose
  words alone separate favor from against weakly;
* ``lexicon``: the lexicon alone. News quotations about a named other are mostly
  critical, so a mildly positive score is still more often "against": the claim is
  "favor" only above :data:`CROSSOVER`; its confidence is a logistic curve of the
  distance from that threshold.

With the lexicon alone or combined, a claim without a single sentiment word (|score|
below :data:`NO_EVIDENCE`) is neutral with no confidence, and the model is not asked:
nothing in it says how the speaker stands. A capable model (``model``) reads such claims
itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from claimstance.schemas.models import StanceBasis, StanceLabel

#: The model's answer words and the labels they stand for.
ANSWER_WORDS: dict[str, StanceLabel] = {
    "positive": "favor",
    "negative": "against",
    "neutral": "neutral",
}
WORDS = tuple(ANSWER_WORDS)
#: Lexicon alone: the favor threshold and confidence slope (basil-dev, see fit_stance).
CROSSOVER = 0.65
SLOPE = 2.05
NO_EVIDENCE = 0.05
#: Combined: P(favor) = sigmoid(BIAS + LEXICON_WEIGHT * score + MODEL_WEIGHT * log-odds);
#: BIAS is minus fit_stance's "F1 threshold on the weighted sum".
BIAS = -0.496
LEXICON_WEIGHT = 1.916
MODEL_WEIGHT = 0.923
#: Log-odds are read with this floor, so an answer word outside the top alternatives
#: counts as rare, not impossible.
FLOOR = 1e-4


@dataclass(frozen=True)
class Decision:
    label: StanceLabel
    confidence: float | None
    basis: StanceBasis


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _polar(favor: float, basis: StanceBasis) -> Decision:
    if favor >= 0.5:
        return Decision("favor", round(favor, 4), basis)
    return Decision("against", round(1.0 - favor, 4), basis)


def from_lexicon(score: float) -> Decision:
    if abs(score) < NO_EVIDENCE:
        return Decision("neutral", None, "lexicon")
    favor = _sigmoid(SLOPE * (score - CROSSOVER))
    if score > CROSSOVER:
        return Decision("favor", round(favor, 4), "lexicon")
    return Decision("against", round(1.0 - favor, 4), "lexicon")


def from_model(mass: Mapping[str, float]) -> Decision | None:
    """The model's most probable answer and its probability among the answer words;
    None when it put no mass on any of them (its answer began with some other token)."""
    total = sum(mass.get(word, 0.0) for word in WORDS)
    if total <= 0.0:
        return None
    word = max(WORDS, key=lambda w: mass.get(w, 0.0))
    return Decision(ANSWER_WORDS[word], round(mass.get(word, 0.0) / total, 4), "model")


def model_log_odds(mass: Mapping[str, float]) -> float:
    return math.log(mass.get("positive", 0.0) + FLOOR) - math.log(mass.get("negative", 0.0) + FLOOR)


def combined(score: float, mass: Mapping[str, float]) -> Decision:
    """The fitted logistic combination of the lexicon score and the model's log-odds."""
    if abs(score) < NO_EVIDENCE:
        return Decision("neutral", None, "lexicon")
    if mass.get("positive", 0.0) + mass.get("negative", 0.0) <= 0.0:
        return from_lexicon(score)
    z = BIAS + LEXICON_WEIGHT * score + MODEL_WEIGHT * model_log_odds(mass)
    return _polar(_sigmoid(z), "model+lexicon")


def decide(score: float, mass: Mapping[str, float] | None, *, method: str) -> Decision:
    """The stance by ``method`` (model, combined or lexicon); without the model's mass
    (not asked, or no log-probabilities) the lexicon decides."""
    if mass is None or method == "lexicon":
        return from_lexicon(score)
    if method == "combined":
        return combined(score, mass)
    decided = from_model(mass)
    return decided if decided is not None else from_lexicon(score)
