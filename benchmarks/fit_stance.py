"""Fit the stance decision of :mod:`claimstance.stance.decide` on BASIL dev (run by hand).

    .venv/bin/python -m benchmarks.fit_stance [--gold ../shared/eval/basil-dev]

For every gold quoted span (``quote == yes``, ``aim == dir``) covered by a detected claim,
the guided strategy's own evidence is read toward the gold target: the lexicon score and
the embedded model's answer-word mass (cached like any call). It prints, with 5-fold
cross-validation repeated over 10 shuffles (folds fitted and scored apart):

* lexicon alone: the favor threshold that maximises favor/against macro-F1, and the
  slope of its confidence curve;
* combined: the logistic weights (favor and against weighted equally) of the lexicon
  score and the model's log-odds of "positive" over "negative";
* the macro-F1 of each on held-out folds, and of the model alone.

The constants in ``decide.py`` are the full-data fits printed here. numpy comes with spaCy.
"""

from __future__ import annotations

import argparse
import asyncio
import math
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT
from claimstance.config import Settings
from claimstance.detect.detector import detect_claims
from claimstance.evaluation.basil import read_basil_dir
from claimstance.evaluation.stance_score import COVER_SHARE, share
from claimstance.pipeline.context import RunContext
from claimstance.pipeline.guided import claim_view
from claimstance.pipeline.stances import entity_for, read_evidence
from claimstance.stance.decide import NO_EVIDENCE, model_log_odds
from claimstance.stance.targets import find_entities

Row = tuple[float, float, int]  # lexicon score, model log-odds, 1 = favor


async def collect(gold: Path, settings: Settings) -> list[Row]:
    context = RunContext(settings)
    rows: list[Row] = []
    try:
        for doc in read_basil_dir(gold):
            views = [claim_view(doc.text, c) for c in detect_claims(doc.text) if not c.is_fragment]
            entities = find_entities(doc.text)
            for span in doc.spans:
                best = max(views, key=lambda v, s=span: share(v.pieces, s), default=None)
                if best is None or share(best.pieces, span) < COVER_SHARE:
                    continue
                entity = entity_for(span.target, entities)
                mentions = entity.named_in(best.pieces) if entity else []
                scored, mass, _ = await read_evidence(
                    doc.text, best, span.target, mentions, context, "combined", always_ask=True
                )
                odds = model_log_odds(mass) if mass else 0.0
                rows.append((scored.compound, odds, int(span.label == "favor")))
    finally:
        await context.aclose_clients()
        context.close()
    return rows


def macro_f1(y: np.ndarray, favor: np.ndarray) -> float:
    scores = []
    for label in (1, 0):
        tp = int(((y == label) & (favor == label)).sum())
        predicted, gold = int((favor == label).sum()), int((y == label).sum())
        p = tp / predicted if predicted else 0.0
        r = tp / gold if gold else 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(scores) / 2


def fit_balanced(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression by Newton's method, the two classes weighted equally."""
    design = np.c_[np.ones(len(x)), x]
    weight = np.where(
        y == 1, len(y) / (2 * max(1, y.sum())), len(y) / (2 * max(1, len(y) - y.sum()))
    )
    w = np.zeros(design.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (weight * (p - y))
        hessian = (design.T * (weight * p * (1 - p))) @ design + 1e-6 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def best_threshold(v: np.ndarray, y: np.ndarray) -> float:
    grid = np.round(np.arange(-0.5, 0.95, 0.05), 2)
    return float(max(grid, key=lambda t: macro_f1(y, (v > t).astype(int))))


def best_cut(z: np.ndarray, y: np.ndarray) -> float:
    grid = np.quantile(z, np.linspace(0.3, 0.95, 27))
    return float(max(grid, key=lambda t: macro_f1(y, (z > t).astype(int))))


def cross_validate(v: np.ndarray, m: np.ndarray, y: np.ndarray) -> dict[str, float]:
    results: dict[str, list[float]] = {
        "lexicon": [],
        "model": [],
        "combined": [],
        "combined, F1 threshold": [],
    }
    for seed in range(10):
        order = np.random.RandomState(seed).permutation(len(y))
        predicted = {name: np.zeros(len(y), int) for name in results}
        for fold in range(5):
            test = order[fold::5]
            train = np.setdiff1d(order, test)
            predicted["lexicon"][test] = v[test] > best_threshold(v[train], y[train])
            wm = fit_balanced(m[train, None], y[train])
            predicted["model"][test] = wm[0] + wm[1] * m[test] > 0
            wc = fit_balanced(np.c_[v[train], m[train]], y[train])
            predicted["combined"][test] = wc[0] + wc[1] * v[test] + wc[2] * m[test] > 0
            z_train = wc[1] * v[train] + wc[2] * m[train]
            cut = best_cut(z_train, y[train])
            predicted["combined, F1 threshold"][test] = wc[1] * v[test] + wc[2] * m[test] > cut
        for name in results:
            results[name].append(macro_f1(y, predicted[name]))
    return {name: float(np.mean(values)) for name, values in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared/eval/basil-dev")
    args = parser.parse_args()
    rows = asyncio.run(collect(args.gold, Settings.from_env()))
    v, m, y = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    y = y.astype(int)
    polar = np.abs(v) >= NO_EVIDENCE
    print(
        f"{len(rows)} covered spans ({int(y.sum())} favor); {int(polar.sum())} with sentiment words"
    )
    threshold = best_threshold(v, y)
    slope = fit_balanced((v - threshold)[:, None], y)[1]
    wc = fit_balanced(np.c_[v[polar], m[polar]], y[polar])
    print(f"lexicon: CROSSOVER = {threshold:.2f}, SLOPE = {slope:.2f}")
    cut = best_cut(wc[1] * v[polar] + wc[2] * m[polar], y[polar])
    print(
        f"combined: BIAS = {wc[0]:.3f}, LEXICON_WEIGHT = {wc[1]:.3f}, "
        f"MODEL_WEIGHT = {wc[2]:.3f}; F1 threshold on the weighted sum {cut:.3f}"
    )
    cv = cross_validate(v[polar], m[polar], y[polar])
    print("held-out macro-F1 (favor/against) on spans with sentiment words, 5-fold x 10:")
    for name, value in cv.items():
        print(f"  {name:9s} {value:.3f}")
    auc = np.mean([(a > b) + 0.5 * (a == b) for a in m[y == 1] for b in m[y == 0]])
    print(f"model log-odds ROC AUC {auc:.3f}; NaN check {math.isnan(float(auc))}")


if __name__ == "__main__":
    main()
