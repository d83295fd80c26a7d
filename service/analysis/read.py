"""Read extractions back: JSONL files (``claimstance extract -o``) and batch job directories.

A batch job directory is read through its ``extractions.jsonl``. A last line cut off
mid-write (no newline, not valid JSON: a job killed while writing) is skipped; any other
line that is not an Extraction is an InputError naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from claimstance.errors import InputError
from claimstance.schemas.models import Extraction

JOB_FILE = "extractions.jsonl"


def _jsonl_path(path: Path) -> Path:
    if path.is_dir():
        inner = path / JOB_FILE
        if not inner.is_file():
            raise InputError(f"a directory without {JOB_FILE}: not a batch job", source=str(path))
        return inner
    if not path.is_file():
        raise InputError("no such file or directory", source=str(path))
    return path


def _read_file(path: Path) -> list[tuple[Extraction, str]]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", source=str(path)) from e
    lines = data.split(b"\n")
    found: list[tuple[Extraction, str]] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        torn = number == len(lines)  # the last line, without its newline
        try:
            record = json.loads(raw)
        except ValueError as e:
            if torn:
                break  # cut off mid-write: the complete lines before it stand
            raise InputError(f"not JSON ({e})", source=where) from None
        if not isinstance(record, dict):
            raise InputError("not a JSON object", source=where)
        try:
            found.append((Extraction.model_validate(record), where))
        except ValidationError as e:
            first = e.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "record"
            raise InputError(f"not an Extraction: {field}: {first['msg']}", source=where) from None
    return found


def read_extractions(paths: str | Path | Iterable[str | Path]) -> list[Extraction]:
    """Every Extraction in ``paths`` (JSONL files or batch job directories), in order.

    Raises InputError for a missing path, a malformed line, or an article given twice."""
    if isinstance(paths, str | Path):
        paths = [paths]
    extractions: list[Extraction] = []
    seen: dict[str, str] = {}
    for path in paths:
        for extraction, where in _read_file(_jsonl_path(Path(path))):
            if extraction.article_id in seen:
                raise InputError(
                    f"article {extraction.article_id!r} is also in {seen[extraction.article_id]}"
                    "; pass each article once",
                    source=where,
                )
            seen[extraction.article_id] = where
            extractions.append(extraction)
    return extractions
