"""Read BASIL stance gold (Fan et al., EMNLP 2019): a speaker's polarity toward a named target.

Layout: ``articles/YEAR/ID.json`` (``title``, ``body-paragraphs``: paragraphs of sentences)
and ``annotations/YEAR/ID_ann.json`` (``phrase-level-annotations``). claimstance reads the
spans that are a quoted speaker's stance toward the target itself: ``quote == "yes"`` and
``aim == "dir"``; ``pos`` is favor, ``neg`` against.

The article text is rebuilt as the title, a blank line, then the paragraphs separated by
blank lines with their sentences joined by one space. BASIL's ``start``/``end`` do not index
that text (nor any joined text), so each span is found by its words: the first occurrence
at or after the previous span's start (annotations come in reading order), else the first
anywhere; a span not found at all is counted in ``unlocated`` and left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimstance.errors import InputError

POLARITY = {"pos": "favor", "neg": "against"}
#: BASIL names unnamed sources ``other_anti``, ``other_pro``, ``other_neutral``...: their
#: spans count for coverage and stance only.
UNNAMED_PREFIX = "other"


@dataclass(frozen=True)
class StanceSpan:
    """One quoted phrase and its speaker's stance toward a target."""

    id: str
    start: int
    end: int
    text: str
    speaker: str  # "Michael Steele", or "" for BASIL's unnamed sources
    target: str  # "Barack Obama"
    label: str  # favor / against


@dataclass(frozen=True)
class StanceDocument:
    doc_id: str
    text: str
    spans: tuple[StanceSpan, ...]
    unlocated: int = 0

    @property
    def targets(self) -> list[str]:
        """The gold targets of the article, in order of first appearance."""
        return list(dict.fromkeys(s.target for s in self.spans))


def is_basil_dir(directory: Path) -> bool:
    return (directory / "articles").is_dir() and (directory / "annotations").is_dir()


def _name(value: str) -> str:
    return " ".join(value.replace("_", " ").split())


def article_text(article: dict[str, Any]) -> str:
    paragraphs = [" ".join(s.strip() for s in p if s.strip()) for p in article["body-paragraphs"]]
    title = " ".join(str(article.get("title") or "").split())
    return "\n\n".join(p for p in [title, *paragraphs] if p)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"unreadable BASIL file: {e}", source=str(path)) from e
    if not isinstance(data, dict):
        raise InputError("a BASIL file holds one JSON object", source=str(path))
    return data


def read_basil_document(article_path: Path, annotation_path: Path) -> StanceDocument:
    article = _load(article_path)
    try:
        text = article_text(article)
        rows = _load(annotation_path)["phrase-level-annotations"]
    except (KeyError, TypeError) as e:
        raise InputError(
            f"not a BASIL article/annotation pair: {e}", source=str(article_path)
        ) from e
    spans: list[StanceSpan] = []
    unlocated = 0
    cursor = 0
    for row in rows:
        if row.get("quote") != "yes" or row.get("aim") != "dir":
            continue
        label = POLARITY.get(str(row.get("polarity")))
        phrase = " ".join(str(row.get("txt") or "").split())
        target = _name(str(row.get("target") or ""))
        if label is None or not phrase or not target:
            continue
        start = text.find(phrase, cursor)
        if start < 0:
            start = text.find(phrase)
        if start < 0:
            unlocated += 1
            continue
        cursor = start
        speaker = str(row.get("speaker") or "")
        spans.append(
            StanceSpan(
                id=str(row.get("id") or f"p{len(spans)}"),
                start=start,
                end=start + len(phrase),
                text=phrase,
                speaker="" if speaker.startswith(UNNAMED_PREFIX) else _name(speaker),
                target=target,
                label=label,
            )
        )
    return StanceDocument(article_path.stem, text, tuple(spans), unlocated)


def read_basil_dir(directory: Path) -> list[StanceDocument]:
    """Every article with at least one quoted, direct stance span, sorted by id."""
    if not is_basil_dir(directory):
        raise InputError(
            "not a BASIL folder (needs articles/ and annotations/)", source=str(directory)
        )
    documents = []
    for annotation in sorted((directory / "annotations").rglob("*_ann.json")):
        relative = annotation.relative_to(directory / "annotations")
        article = directory / "articles" / relative.parent / annotation.name.replace("_ann", "")
        if not article.is_file():
            raise InputError("annotation without its article", source=str(annotation))
        document = read_basil_document(article, annotation)
        if document.spans:
            documents.append(document)
    if not documents:
        raise InputError("no quoted stance spans found", source=str(directory))
    return documents
