"""Score stances against BASIL gold (:mod:`.basil`): coverage, stance macro-F1, speakers.

Definitions:

* **Covered**: a gold quoted span is covered by the predicted claim whose pieces hold the
  largest share of its characters, if that share is at least :data:`COVER_SHARE`.
  Coverage = covered spans / gold spans.
* **Stance**, on covered spans: the predicted label is that of the covering claim's stance
  whose target is the gold target (compared by ``target_key``: case, dashes, whitespace),
  else ``none``. ``macro_f1`` averages the F1 of favor and against, where a ``neutral`` or
  ``none`` prediction is a miss (it lowers recall); ``macro_f1_decided`` is the same over
  the spans predicted favor or against only.
* **Speaker accuracy**, on covered spans with a named gold speaker (BASIL's ``other_*``
  are left out): the predicted canonical name or affiliation is the gold name, holds all
  its words, or is its last word alone ("Romney" for "Mitt Romney"; a spokeswoman
  affiliated with the "Obama campaign" for the gold speaker "Obama campaign").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from claimstance.evaluation.basil import StanceDocument, StanceSpan
from claimstance.schemas.models import Claim, Extraction
from claimstance.text.normalize import target_key

COVER_SHARE = 0.5
POLAR = ("favor", "against")


@dataclass
class StanceScores:
    gold: int = 0
    covered: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, pred)
    speakers: int = 0
    speakers_correct: int = 0
    missing_predictions: list[str] = field(default_factory=list)

    def f1(self, label: str, *, decided: bool) -> float:
        pairs = {k: v for k, v in self.confusion.items() if not decided or k[1] in POLAR}
        tp = pairs.get((label, label), 0)
        predicted = sum(v for (_, p), v in pairs.items() if p == label)
        gold = sum(v for (g, _), v in pairs.items() if g == label)
        if not tp:
            return 0.0
        precision, recall = tp / predicted, tp / gold
        return 2 * precision * recall / (precision + recall)

    def macro_f1(self, *, decided: bool = False) -> float:
        return sum(self.f1(label, decided=decided) for label in POLAR) / len(POLAR)

    def to_json(self) -> dict[str, Any]:
        decided = sum(v for (_, p), v in self.confusion.items() if p in POLAR)
        return {
            "gold_spans": self.gold,
            "covered": self.covered,
            "coverage": round(self.covered / self.gold, 4) if self.gold else None,
            "stance_macro_f1": round(self.macro_f1(), 4),
            "stance_macro_f1_decided": round(self.macro_f1(decided=True), 4),
            "f1": {label: round(self.f1(label, decided=False), 4) for label in POLAR},
            "decided": decided,
            "speaker_accuracy": (
                round(self.speakers_correct / self.speakers, 4) if self.speakers else None
            ),
            "speakers_evaluated": self.speakers,
            "confusion": [
                {"gold": g, "pred": p, "n": n} for (g, p), n in sorted(self.confusion.items())
            ],
            "articles_without_prediction": self.missing_predictions,
        }


def share(pieces: Sequence[tuple[int, int]], span: StanceSpan) -> float:
    """The share of the gold span's characters that ``pieces`` (a claim's) hold."""
    inside = sum(max(0, min(b, span.end) - max(a, span.start)) for a, b in pieces)
    return inside / max(1, span.end - span.start)


def _share(claim: Claim, span: StanceSpan) -> float:
    pieces = [(p.start, p.end) for p in claim.quote_parts] or [(claim.quote.start, claim.quote.end)]
    return share(pieces, span)


def covering_claim(extraction: Extraction, span: StanceSpan) -> Claim | None:
    best = max(extraction.claims, key=lambda c: _share(c, span), default=None)
    return best if best is not None and _share(best, span) >= COVER_SHARE else None


def same_speaker(predicted: str, gold: str) -> bool:
    """Same name; a predicted surname alone that is the gold's last word ("Romney" for
    "Mitt Romney"); or a predicted name that holds all of the gold's words ("Missouri Rep
    Todd Akin"). "Romney campaign" is not "Obama campaign"."""
    said, wanted = target_key(predicted).split(), target_key(gold).split()
    if not said or not wanted:
        return False
    if said == wanted or (len(said) == 1 and said[0] == wanted[-1]):
        return True
    return len(wanted) > 1 and all(word in said for word in wanted)


def score_stances(
    documents: Sequence[StanceDocument], predictions: Mapping[str, Extraction]
) -> StanceScores:
    scores = StanceScores()
    for document in documents:
        extraction = predictions.get(document.doc_id)
        scores.gold += len(document.spans)
        if extraction is None:
            scores.missing_predictions.append(document.doc_id)
            continue
        for span in document.spans:
            claim = covering_claim(extraction, span)
            if claim is None:
                continue
            scores.covered += 1
            wanted = target_key(span.target)
            label = next((s.label for s in claim.stances if target_key(s.target) == wanted), "none")
            scores.confusion[span.label, label] += 1
            if span.speaker:
                scores.speakers += 1
                said = [claim.speaker.name, claim.speaker.affiliation or ""]
                scores.speakers_correct += any(same_speaker(n, span.speaker) for n in said if n)
    return scores
