"""What each detection mechanism adds, scored on brat gold without a model (run by hand).

    .venv/bin/python -m benchmarks.bench_detector [--gold ../shared/eval/polnear-dev]

The guided strategy's attribution spans come from the deterministic detector; the model
only picks among the detector's candidate speakers where the ranking is uncertain. This
scores the detector alone (its best candidate as the speaker, no stance) twice: with the
word-pattern rules only, and with the dependency parse added, and prints the content
P/R/F1 at overlap 0.5 and speaker accuracy per subset, plus detection time per article.
``claimstance evaluate --run`` gives the figures with the model's speaker choices.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.common import ROOT
from claimstance.detect.detector import detect_claims
from claimstance.evaluation.evaluate import load_gold
from claimstance.evaluation.scoring import EvalReport, score
from claimstance.pipeline.guided import detector_extraction
from claimstance.schemas.models import Article, Extraction

SUBSETS = ("direct", "indirect", "speech", "all")


def run(gold_dir: Path, *, parse: bool) -> tuple[EvalReport, float]:
    gold = load_gold(gold_dir)
    detect_claims("Warm-up: the parser loads once.", parse=parse)
    predictions: dict[str, Extraction] = {}
    start = time.perf_counter()
    for doc in gold:
        article = Article(id=doc.doc_id, text=doc.text)
        predictions[doc.doc_id] = detector_extraction(article, parse=parse)
    seconds = (time.perf_counter() - start) / max(1, len(gold))
    return score(gold, predictions), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared/eval/polnear-dev")
    args = parser.parse_args()
    print(f"gold: {args.gold}")
    print("| mechanisms | subset | P | R | F1 (overlap 0.5) | speaker acc. (overlap) |")
    print("|---|---|---|---|---|---|")
    for label, parse in (("rules", False), ("rules + parse", True)):
        report, seconds = run(args.gold, parse=parse)
        total = report.total
        for subset in SUBSETS:
            prf = total.quote[subset]["overlap@0.5"]
            speaker = total.attribution[subset]["speaker_overlap"].accuracy
            print(
                f"| {label} | {subset} | {prf.precision:.3f} | {prf.recall:.3f} | "
                f"{prf.f1:.3f} | {speaker:.3f} |"
            )
        print(f"| {label} | detection time | {seconds * 1000:.0f} ms per article | | | |")


if __name__ == "__main__":
    main()
