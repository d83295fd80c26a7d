"""``claimstance evaluate``: score a JSONL of Extractions, or extract first and then score."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from claimstance.errors import ClaimstanceError, InputError
from claimstance.evaluation.basil import StanceDocument
from claimstance.evaluation.brat import GoldDocument, read_gold_dir
from claimstance.evaluation.scoring import EvalReport, score
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article, Extraction


def read_predictions(path: Path) -> dict[str, Extraction]:
    """Extractions by article id; the last line wins when an id repeats."""
    predictions: dict[str, Extraction] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read predictions: {e}", source=str(path)) from e
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            extraction = Extraction.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as e:
            raise InputError(f"not an Extraction: {str(e)[:300]}", source=f"{path}:{number}") from e
        predictions[extraction.article_id] = extraction
    return predictions


#: What to extract for one gold article: its id, its text and the targets to judge.
GoldText = tuple[str, str, Sequence[str]]


def brat_texts(gold: Sequence[GoldDocument], targets: Sequence[str]) -> list[GoldText]:
    return [(doc.doc_id, doc.text, targets) for doc in gold]


def basil_texts(gold: Sequence[StanceDocument], targets: Sequence[str]) -> list[GoldText]:
    """Each article toward the requested targets, else toward its own gold targets."""
    return [(doc.doc_id, doc.text, targets or doc.targets) for doc in gold]


async def extract_gold_texts(
    gold: Sequence[GoldText],
    extractor: Extractor,
    *,
    out: Path | None,
) -> tuple[dict[str, Extraction], list[str]]:
    """Run the extractor over the gold articles; failures are listed, not fatal."""
    predictions: dict[str, Extraction] = {}
    failures: list[str] = []
    sink = out.open("w", encoding="utf-8") if out else None
    try:
        for doc_id, text, targets in gold:
            try:
                extraction = await extractor.aextract(
                    Article(id=doc_id, text=text), targets=targets
                )
            except ClaimstanceError as e:
                failures.append(f"{doc_id}: {e}")
                continue
            predictions[doc_id] = extraction
            if sink:
                sink.write(extraction.model_dump_json() + "\n")
                sink.flush()
    finally:
        if sink:
            sink.close()
    return predictions, failures


def load_gold(directory: Path, annotator: str | None = None) -> list[GoldDocument]:
    if not directory.is_dir():
        raise InputError("gold directory not found", source=str(directory))
    gold = read_gold_dir(directory, annotator=annotator)
    if not gold:
        raise InputError("no annotated articles (.txt with .ann) found", source=str(directory))
    return gold


__all__ = [
    "EvalReport",
    "GoldText",
    "basil_texts",
    "brat_texts",
    "extract_gold_texts",
    "load_gold",
    "read_predictions",
    "score",
]
