"""A target-directed sentiment score from the VADER lexicon (Hutto & Gilbert, ICWSM 2014).

VADER is a well-kept, MIT-licensed lexicon with rules for negation, intensifiers, "but"
and capitals, shipped with its word list inside the ``vaderSentiment`` package (nothing is
downloaded). claimstance scores the claim's own words, not the reporting sentence around
it, and, where the claim names the target, the sentences of the claim that name it: a
quotation that praises one person and attacks another is two stances.

The score is VADER's ``compound`` in [-1, 1]; :mod:`.decide` turns it into a probability.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from claimstance.text.glyphs import QUOTE_MARKS
from claimstance.text.normalize import fold_marks

#: What an evidence sentence does not end with: the quotation's closing marks, its comma.
_TRAILING = QUOTE_MARKS + ",;:"
#: A sentence inside a claim piece ends at . ! ? (and a closing mark after it).
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+[\"'”’»]*|$)")


@dataclass(frozen=True)
class Scored:
    """The lexicon's reading of a claim toward one target."""

    compound: float
    #: Offsets of the sentence of the claim that carries the score (the evidence).
    start: int
    end: int


@functools.cache
def _analyzer() -> Any:
    # Imported here: reading the lexicon costs about 0.1 s, paid only when stances are asked.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def polarity(words: str) -> float:
    """VADER's compound score of ``words`` in [-1, 1]; 0 for no sentiment words. VADER
    knows ASCII punctuation only, so curly quotes are folded first ("doesn’t" is a negation)."""
    return float(_analyzer().polarity_scores(fold_marks(words))["compound"])


def sentences(text: str, pieces: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences of the claim's pieces as raw offsets, without the blanks and
    quotation marks around them (an opening mark, a closing mark and its comma)."""
    found: list[tuple[int, int]] = []
    for lo, hi in pieces:
        for m in _SENTENCE.finditer(text, lo, hi):
            a, b = m.start(), m.end()
            while a < b and not text[a].isalnum():
                a += 1
            while b > a and (text[b - 1].isspace() or text[b - 1] in _TRAILING):
                b -= 1
            if b > a:
                found.append((a, b))
    return found


def score_claim(
    text: str,
    pieces: Sequence[tuple[int, int]],
    target_mentions: Sequence[tuple[int, int]] = (),
) -> Scored:
    """The lexicon score of a claim toward a target.

    ``pieces`` are the claim's parts in the raw text; ``target_mentions`` the target's
    mentions. When some sentence of the claim names the target, only those sentences are
    read; otherwise the whole claim. The evidence is the sentence with the strongest score.
    """
    units = sentences(text, pieces) or [(lo, hi) for lo, hi in pieces]
    if not units:
        return Scored(0.0, 0, 0)
    naming = [u for u in units if any(u[0] <= a and b <= u[1] for a, b in target_mentions)]
    chosen = naming or units
    whole = polarity(" ".join(text[a:b] for a, b in chosen))
    strongest = max(chosen, key=lambda u: abs(polarity(text[u[0] : u[1]])))
    return Scored(whole, *strongest)
