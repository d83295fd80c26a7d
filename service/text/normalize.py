"""Text normalisation with a map back to raw offsets (curly/straight quotes, dashes,
whitespace runs, "…" / "...", invisible characters), used by grounding and the speaker registry."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from claimstance.text.glyphs import (
    DASHES,
    DOUBLE_MARKS,
    PRIMES_DOUBLE,
    PRIMES_SINGLE,
    SINGLE_LOOKALIKES,
    SINGLE_MARKS,
)

#: What normalisation folds to ``"`` and to ``'`` (quotation marks of the glyph table, primes).
DOUBLE_QUOTES = DOUBLE_MARKS + PRIMES_DOUBLE
SINGLE_QUOTES = SINGLE_MARKS + SINGLE_LOOKALIKES + PRIMES_SINGLE
QUOTES = DOUBLE_QUOTES + SINGLE_QUOTES
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width characters and soft hyphen

BLANK = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + INVISIBLE

_FOLD = {
    **dict.fromkeys(DOUBLE_QUOTES, '"'),
    **dict.fromkeys(SINGLE_QUOTES, "'"),
    **dict.fromkeys(DASHES, "-"),
}
_FOLDABLE = re.compile(f"[{re.escape(''.join(_FOLD))}]")  # re.sub beats str.translate here
# Whitespace runs other than a lone space, invisible characters, and the ellipsis character.
_SPECIAL = re.compile(f"[\\s{INVISIBLE}]{{2,}}|[^\\S ]|[{INVISIBLE}]|…")


def _normalize(text: str) -> tuple[str, tuple[int, ...]]:
    chunks: list[str] = []
    index: list[int] = []
    pos = 0
    for match in _SPECIAL.finditer(text):
        start, end = match.span()
        chunks.append(text[pos:start])
        index.extend(range(pos, start))
        token = match.group()
        if token == "…":
            chunks.append("...")
            index.extend((start, start, start))
        else:  # a whitespace run becomes one space; invisible characters alone vanish
            first = next((k for k, ch in enumerate(token) if ch.isspace()), None)
            if first is not None:
                chunks.append(" ")
                index.append(start + first)
        pos = end
    chunks.append(text[pos:])
    index.extend(range(pos, len(text)))
    index.append(len(text))
    return _FOLDABLE.sub(lambda m: _FOLD[m.group()], "".join(chunks)), tuple(index)


normalized_text = lru_cache(maxsize=16)(_normalize)  # articles only, never needles


def normalize(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the raw index it comes from.

    The map has one more entry than the normalised text: ``len(text)`` as a sentinel. A
    normalised span ``[i, j)`` (``j > i``) covers the raw span ``[map[i], map[j - 1] + 1)``.
    """
    norm, index = normalized_text(text)
    return norm, list(index)


def norm_needle(needle: str) -> str:
    return _normalize(needle)[0].strip()


def fold_marks(text: str) -> str:
    """Curly and other quotation marks as ``"`` and ``'``, dashes as ``-``: one character
    for one, so offsets are unchanged (ASCII-minded tools read "doesn’t" as "doesn't")."""
    return _FOLDABLE.sub(lambda m: _FOLD[m.group()], text)


def find_phrase(text: str, phrase: str) -> list[tuple[int, int]]:
    """Raw offsets of every occurrence of ``phrase`` as whole words, with quotes, dashes,
    whitespace runs and case folded on both sides ("US–China  Cooperation" finds
    "us-china cooperation"; "US" is not found in "because")."""
    needle = norm_needle(phrase)
    if not re.search(r"\w", needle):
        return []
    norm, index = normalized_text(text)
    pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)
    return [(index[m.start()], index[m.end() - 1] + 1) for m in pattern.finditer(norm)]


def target_key(target: str) -> str:
    """What makes two stance targets the same: Unicode compatibility form, quotes, dashes,
    whitespace and case folded ("US–China  Cooperation" is "us-china cooperation")."""
    return " ".join(norm_needle(unicodedata.normalize("NFKC", target)).casefold().split())


def unique_targets(targets: Iterable[str]) -> list[str]:
    """Requested targets without blanks, bare punctuation and repeats (by
    :func:`target_key`), each in the caller's first spelling, whitespace collapsed."""
    seen: dict[str, str] = {}
    for target in targets:
        key = target_key(target)
        if re.search(r"\w", key) and key not in seen:
            seen[key] = " ".join(target.split())
    return list(seen.values())


__all__ = [
    "BLANK",
    "DASHES",
    "DOUBLE_QUOTES",
    "INVISIBLE",
    "QUOTES",
    "SINGLE_QUOTES",
    "find_phrase",
    "fold_marks",
    "norm_needle",
    "normalize",
    "normalized_text",
    "target_key",
    "unique_targets",
]
