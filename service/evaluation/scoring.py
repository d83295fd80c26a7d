"""Score extractions against brat gold (see :mod:`.brat`): quotes, speakers, cues, stances.

Definitions (all figures are micro-averaged: counts are summed over the corpus first):

* **Items.** Gold: every attribution with a Content span (its fragments, in any order).
  Prediction: every claim, covering its ``quote_parts`` if any, else its ``quote`` span.
* **exact**: gold and prediction cover the same set of non-whitespace characters (so
  surrounding whitespace and the whitespace between fragments do not matter). Quotation marks
  count: PolNeAR includes them in direct quotes, and so does the claimstance contract.
* **exact_relaxed**: the same set of letter/digit characters, i.e. quotation marks and
  punctuation anywhere are ignored (``"Subpoenas are not optional,"`` = ``Subpoenas are not
  optional``).
* **overlap@t**: token Dice ``2|P∩G| / (|P|+|G|) >= t`` where tokens are ``\\w+`` runs of the
  article identified by position (a repeated word is two tokens) and a token belongs to a span
  when any of its characters is covered; spans without tokens fall back to their characters.
  This is the overlap ratio of Pareti's and Scheible et al.'s partial match made one-to-one.
* **Matching is one-to-one**: exact levels pair identical spans; overlap levels use one greedy
  matching by descending Dice (ties: text order), and overlap@t counts its pairs with Dice
  >= t. A gold is matched at most once, so duplicate predictions are false positives.
* **P/R/F1**: P = matched predictions / predictions, R = matched gold / gold, F1 their
  harmonic mean; a zero denominator gives 0, except that no gold and no predictions gives 1.
* **Subsets** restrict the gold side and the prediction side separately (P uses matched
  predictions in the subset, R matched gold in the subset). ``direct``/``indirect``: the span
  text has quotation marks or not (``brat.has_quotation_marks``, same rule on both sides).
  ``speech``: gold whose cue is a speech cue (``brat.is_speech_cue``); a prediction belongs to
  it unless its greedy partner (any overlap) is a non-speech gold or, having no partner, its
  own cue is a non-speech cue. Speech-only figures are always reported beside all-attribution.
* **Attribution** (speaker, cue) is judged on pairs matched at ``overlap >= attribution_threshold``
  (default 0.5), for the gold subsets all, speech, direct and indirect (the gold side
  decides). Speaker exact: the mention covers the gold Source's non-whitespace characters
  exactly. Speaker overlap: the mention shares a token with the Source, or the canonical name
  shares a content word (lowercased, not in ``_STOP``) with the Source text. Gold without a
  Source is left out of the speaker denominator; a gold cue always counts.
* **Cue spans**: P/R/F1 of predicted cue spans against every gold cue, one-to-one; exact as
  above, overlap = any shared token. The speech subset uses the cue word list on both sides.
* **Stance**: per (matched pair, gold target from the side file) the predicted label is that of
  the claim's stance with the same target (casefolded, whitespace collapsed), else ``none``.
  Macro-F1 over favor/against/neutral labels present in gold or prediction; absent (None)
  when the gold has no stances.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field, fields
from typing import Any

from claimstance.evaluation.brat import (
    STANCE_LABELS,
    GoldAttribution,
    GoldDocument,
    corpus_stats,
    has_quotation_marks,
)
from claimstance.evaluation.brat import is_speech_cue as _speech_cue
from claimstance.evaluation.spans import Pairs, SpanText, greedy, identical
from claimstance.schemas.models import Claim, Extraction

__all__ = ["PRF", "THRESHOLDS", "Accuracy", "ArticleScore", "EvalReport", "Scores", "score"]

DEFINITIONS = (__doc__ or "").strip()
THRESHOLDS = (0.3, 0.5, 0.8)
SUBSETS = ("all", "speech", "direct", "indirect")
_WORD = re.compile(r"\w+")
_STOP_WORDS = "the a an of and mr mrs ms dr in for to on at by de la le von van"
_STOP = frozenset(_STOP_WORDS.split())
_METRICS = ("precision", "recall", "f1")


@dataclass
class PRF:
    """Counts behind precision, recall and F1 (``tp_gold`` and ``tp_pred`` matched items)."""

    n_gold: int = 0
    n_pred: int = 0
    tp_gold: int = 0
    tp_pred: int = 0

    def __add__(self, o: PRF) -> PRF:
        return PRF(*(a + b for a, b in zip(astuple(self), astuple(o), strict=True)))

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else float(not self.n_gold)

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else float(not self.n_pred)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self)) | {k: round(getattr(self, k), 4) for k in _METRICS}


@dataclass
class Accuracy:
    n: int = 0
    correct: int = 0

    def __add__(self, o: Accuracy) -> Accuracy:
        return Accuracy(self.n + o.n, self.correct + o.correct)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None

    def to_json(self) -> dict[str, Any]:
        acc = self.accuracy
        return {"n": self.n, "correct": self.correct, "accuracy": acc and round(acc, 4)}


def _add(a: Any, b: Any) -> Any:
    """Sum nested dicts of PRF / Accuracy / int leaves, keeping the keys of either side."""
    if not isinstance(a, dict) or isinstance(a, Counter):
        return a + b
    return {k: _add(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in a | b}


def _json(d: Any) -> Any:
    if isinstance(d, dict):
        return {str(k): _json(v) for k, v in d.items()}
    return d.to_json() if isinstance(d, PRF | Accuracy) else d


@dataclass
class Scores:
    """Counts for one article or the whole corpus; ``+`` sums them (micro-averaging)."""

    quote: dict[str, dict[str, PRF]] = field(default_factory=dict)  # subset -> level
    by_kind: dict[str, dict[str, Accuracy]] = field(default_factory=dict)  # kind -> level
    attribution: dict[str, dict[str, Accuracy]] = field(default_factory=dict)  # subset -> what
    cue: dict[str, dict[str, PRF]] = field(default_factory=dict)  # subset -> exact/overlap
    stance: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, pred) -> n
    stance_unmatched: int = 0

    def __add__(self, o: Scores) -> Scores:
        return Scores(*(_add(getattr(self, f.name), getattr(o, f.name)) for f in fields(self)))

    def stance_report(self) -> dict[str, Any] | None:
        """Macro-F1 over the stance labels seen in gold or prediction; None without gold."""
        if not self.stance and not self.stance_unmatched:
            return None
        per: dict[str, PRF] = {}
        for lab in STANCE_LABELS:
            g = sum(c for (a, _), c in self.stance.items() if a == lab)
            p = sum(c for (_, b), c in self.stance.items() if b == lab)
            if g or p:
                per[lab] = PRF(g, p, self.stance[lab, lab], self.stance[lab, lab])
        return {
            "macro_f1": round(sum(s.f1 for s in per.values()) / len(per), 4) if per else 0.0,
            "n_evaluated": sum(self.stance.values()),
            "n_unmatched_gold": self.stance_unmatched,
            "per_label": _json(per),
            "confusion": [
                {"gold": a, "pred": b, "n": c} for (a, b), c in sorted(self.stance.items())
            ],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "quote": _json(self.quote),
            "by_predicted_kind": _json(self.by_kind),
            "attribution": _json(self.attribution),
            "cue": _json(self.cue),
            "stance": self.stance_report(),
        }


@dataclass
class ArticleScore:
    doc_id: str
    annotator: str | None
    annotators: list[str]
    has_prediction: bool
    n_gold: int
    n_pred: int
    scores: Scores

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "scores"} | self.scores.to_json()


def _prf(pairs: Pairs, g_in: list[bool], p_in: list[bool]) -> PRF:
    return PRF(sum(g_in), sum(p_in), sum(g_in[i] for i, _ in pairs), sum(p_in[j] for _, j in pairs))


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in _STOP}


def _norm(target: str) -> str:
    return " ".join(target.casefold().split())


# -- scoring ------------------------------------------------------------------------------


def _attribution(tx: SpanText, gold: GoldAttribution, claim: Claim) -> dict[str, Accuracy]:
    """Speaker and cue of one matched pair: exact and overlap, when the gold has them."""
    out = {"matched": Accuracy(1, 1)}
    for what, g_span, p_span in (
        ("speaker", gold.source, claim.speaker.mention),
        ("cue", gold.cue, claim.cue),
    ):
        if g_span is None:
            continue
        g = tx.item(g_span.fragments)
        p = tx.item([(p_span.start, p_span.end)]) if p_span is not None else None
        same = p is not None and bool(p.exact) and p.exact == g.exact
        near = same or (p is not None and bool(p.tokens & g.tokens))
        if what == "speaker" and not near:
            near = bool(_words(claim.speaker.name) & _words(g_span.text))
        out[f"{what}_exact"] = Accuracy(1, int(same))
        out[f"{what}_overlap"] = Accuracy(1, int(near))
    return out


def _score_doc(
    doc: GoldDocument, claims: Sequence[Claim], thresholds: Sequence[float], att_t: float
) -> Scores:
    tx = SpanText(doc.text)
    golds = [a for a in doc.attributions if a.content is not None]
    g_items = [tx.item(a.content.fragments) for a in golds if a.content is not None]
    p_items = [tx.item([(p.start, p.end) for p in c.quote_parts or [c.quote]]) for c in claims]
    matching = greedy(g_items, p_items)
    partner = {j: i for i, j, _ in matching}
    p_speech = [
        golds[partner[j]].is_speech if j in partner else c.cue is None or _speech_cue(c.cue.text)
        for j, c in enumerate(claims)
    ]
    p_direct = [has_quotation_marks(c.quote.text) for c in claims]
    g_in = {
        "all": [True] * len(golds),
        "speech": [a.is_speech for a in golds],
        "direct": [a.is_direct for a in golds],
        "indirect": [not a.is_direct for a in golds],
    }
    p_in = {
        "all": [True] * len(claims),
        "speech": p_speech,
        "direct": p_direct,
        "indirect": [not d for d in p_direct],
    }
    levels = {
        "exact": identical(g_items, p_items),
        "exact_relaxed": identical(g_items, p_items, relaxed=True),
    } | {f"overlap@{t:g}": [(i, j) for i, j, d in matching if d >= t] for t in thresholds}
    out = Scores()
    out.quote = {s: {lv: _prf(pr, g_in[s], p_in[s]) for lv, pr in levels.items()} for s in SUBSETS}
    for kind in sorted({c.kind for c in claims}):
        mine = [c.kind == kind for c in claims]
        out.by_kind[kind] = {
            lv: Accuracy(sum(mine), sum(mine[j] for _, j in pr)) for lv, pr in levels.items()
        }
    matched = [(i, j) for i, j, d in matching if d >= att_t]
    for subset in SUBSETS:
        out.attribution[subset] = {"matched": Accuracy()}
        for i, j in matched:
            if g_in[subset][i]:
                out.attribution[subset] = _add(
                    out.attribution[subset], _attribution(tx, golds[i], claims[j])
                )
    for i, j in matched:
        predicted = {_norm(s.target): s.label for s in claims[j].stances}
        for target, label in golds[i].stances.items():
            out.stance[label, predicted.get(_norm(target), "none")] += 1
    done = {i for i, _ in matched}
    out.stance_unmatched = sum(len(a.stances) for i, a in enumerate(golds) if i not in done)
    # cue spans on their own, independent of the quotes
    g_cues = [a.cue for a in doc.attributions if a.cue is not None]
    p_cues = [c.cue for c in claims if c.cue is not None]
    gc, pc = [tx.item(c.fragments) for c in g_cues], [tx.item([(c.start, c.end)]) for c in p_cues]
    cue_levels = {"exact": identical(gc, pc), "overlap": [(i, j) for i, j, _ in greedy(gc, pc)]}
    for subset, gi, pi in (
        ("all", [True] * len(gc), [True] * len(pc)),
        ("speech", [_speech_cue(c.text) for c in g_cues], [_speech_cue(c.text) for c in p_cues]),
    ):
        out.cue[subset] = {lv: _prf(pr, gi, pi) for lv, pr in cue_levels.items()}
    return out


def _span_warnings(doc: GoldDocument, extraction: Extraction) -> list[str]:
    """Predicted spans whose text is not the gold article's text at their offsets."""
    bad = [s for s in extraction.spans() if doc.text[s.start : s.end] != s.text]
    more = [f"{doc.doc_id}: ... and {len(bad) - 3} more span mismatches"] if len(bad) > 3 else []
    return [
        f"{doc.doc_id}: predicted span [{s.start}:{s.end}] {s.text[:40]!r} differs from the "
        f"gold text {doc.text[s.start : s.end][:40]!r}"
        for s in bad[:3]
    ] + more


@dataclass
class EvalReport:
    thresholds: tuple[float, ...]
    attribution_threshold: float
    gold: dict[str, Any]
    total: Scores
    per_article: list[ArticleScore]
    missing_predictions: list[str]
    unknown_predictions: list[str]
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "config": {
                "thresholds": list(self.thresholds),
                "attribution_threshold": self.attribution_threshold,
                "definitions": DEFINITIONS,
            },
            "gold": self.gold,
            "total": self.total.to_json(),
            "missing_predictions": self.missing_predictions,
            "unknown_predictions": self.unknown_predictions,
            "warnings": self.warnings,
            "per_article": [a.to_json() for a in self.per_article],
        }


def score(
    gold: Sequence[GoldDocument],
    predictions: Mapping[str, Extraction],
    *,
    thresholds: Sequence[float] = THRESHOLDS,
    attribution_threshold: float = 0.5,
) -> EvalReport:
    """Score ``predictions`` (keyed by doc id = ``Extraction.article_id``) against ``gold``."""
    total = Scores()
    articles: list[ArticleScore] = []
    warnings: list[str] = [w for d in gold for w in d.warnings]
    for doc in gold:
        extraction = predictions.get(doc.doc_id)
        claims = extraction.claims if extraction is not None else []
        if extraction is not None:
            warnings += _span_warnings(doc, extraction)
        scores = _score_doc(doc, claims, thresholds, attribution_threshold)
        total = total + scores
        n_gold = sum(a.content is not None for a in doc.attributions)
        articles.append(
            ArticleScore(
                doc.doc_id, doc.annotator, list(doc.annotators), extraction is not None,
                n_gold, len(claims), scores,
            )
        )  # fmt: skip
    known = {d.doc_id for d in gold}
    return EvalReport(
        thresholds=tuple(thresholds),
        attribution_threshold=attribution_threshold,
        gold=corpus_stats(gold),
        total=total,
        per_article=articles,
        missing_predictions=[a.doc_id for a in articles if not a.has_prediction],
        unknown_predictions=sorted(k for k in predictions if k not in known),
        warnings=warnings,
    )
