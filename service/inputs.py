"""Reading articles from files, directories, JSONL and stdin, with typed errors.

A bad input never stops the others: readers yield an ``InputError`` in place of the
article that failed, and callers record it and go on.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from claimstance.errors import InputError
from claimstance.schemas.models import Article

TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


def decode_text(data: bytes, *, source: str) -> str:
    """UTF-8 text exactly as given (a leading byte-order mark is dropped); no guessing."""
    if b"\x00" in data[:8192]:
        raise InputError("looks like a binary file (NUL bytes), not UTF-8 text", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"not valid UTF-8 at byte {e.start} ({data[e.start : e.start + 4]!r}); "
            "convert it first, e.g. iconv -f latin1 -t utf-8",
            source=source,
        ) from e
    return text.removeprefix("\ufeff")


def article_from_text(text: str, *, article_id: str = "", source: str) -> Article:
    """An article whose title is its first non-empty line; offsets cover the whole text."""
    if not text.strip():
        raise InputError("the article text is empty", source=source)
    title = next((line.strip() for line in text.splitlines() if line.strip()), None)
    return Article(id=article_id, text=text, title=title)


def article_from_record(record: object, *, source: str) -> Article:
    if not isinstance(record, dict):
        raise InputError("expected a JSON object with at least a 'text' field", source=source)
    try:
        article = Article.model_validate(record)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise InputError(f"invalid article: {where}: {first['msg']}", source=source) from e
    if not article.text.strip():
        raise InputError("the article text is empty", source=source)
    return article


def _read_text_file(path: Path) -> Article:
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", source=source) from e
    return article_from_text(decode_text(data, source=source), article_id=path.stem, source=source)


def _read_jsonl(stream: BinaryIO | Iterable[bytes], name: str) -> Iterator[Article | InputError]:
    for number, line in enumerate(stream, start=1):
        source = f"{name}:{number}"
        if not line.strip():
            continue
        try:
            record = json.loads(decode_text(line, source=source))
            yield article_from_record(record, source=source)
        except InputError as e:
            yield e
        except json.JSONDecodeError as e:
            yield InputError(f"invalid JSON: {e.msg} at column {e.colno}", source=source)


def read_jsonl_file(path: Path, name: str) -> Iterator[Article | InputError]:
    """A JSONL file's articles, errors naming ``name:line`` (not the server's own path)."""
    try:
        with path.open("rb") as stream:
            yield from _read_jsonl(stream, name)
    except OSError as e:
        yield InputError(f"cannot read: {e.strerror or e}", source=name)


def input_files(path: Path) -> Iterator[Path]:
    """The files an input path names: itself, or a directory's article files."""
    if path.is_dir():  # its own files only: subfolders often hold gold data or outputs
        for child in sorted(path.iterdir()):
            wanted = child.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES
            if wanted and child.is_file() and not child.name.startswith("."):
                yield child
    else:
        yield path


def read_articles(inputs: Iterable[str]) -> Iterator[Article | InputError]:
    """Articles from paths, directories (their .txt, .md, .jsonl files) or ``-`` (stdin)."""
    for raw in inputs:
        if raw == "-":
            yield from _read_stdin()
            continue
        root = Path(raw)
        if not root.exists():
            yield InputError("no such file or directory", source=raw)
            continue
        for path in input_files(root):
            if path.suffix.lower() in JSONL_SUFFIXES:
                try:
                    with path.open("rb") as stream:
                        yield from _read_jsonl(stream, str(path))
                except OSError as e:
                    yield InputError(f"cannot read: {e.strerror or e}", source=str(path))
                continue
            try:
                yield _read_text_file(path)
            except InputError as e:
                yield e


def _read_stdin() -> Iterator[Article | InputError]:
    """JSONL (streamed) when the first non-blank character is '{', else one text article."""
    stream = sys.stdin.buffer
    head: list[bytes] = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    if head and head[-1].lstrip()[:1] == b"{":
        yield from _read_jsonl(itertools.chain(head, stream), "<stdin>")
        return
    data = b"".join(head) + stream.read()
    try:
        yield article_from_text(decode_text(data, source="<stdin>"), source="<stdin>")
    except InputError as e:
        yield e
