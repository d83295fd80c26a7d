"""Split long articles into overlapping chunks at paragraph or sentence boundaries.

Chunks overlap by at least ``overlap`` characters and start at a paragraph (or sentence)
start where possible, so that any claim shorter than the overlap that is cut at one
chunk's edge appears whole in the next chunk; the merger then keeps it once.
"""

from __future__ import annotations

import re

from claimstance.text.glyphs import CLOSING_MARKS, char_class

_SENTENCE_END = re.compile(r"[.!?…][" + char_class(CLOSING_MARKS) + r")\]]*\s+")


def _cut_before(text: str, limit: int, floor: int) -> int:
    """The best place to end a chunk at or before ``limit`` but after ``floor``."""
    window = text[floor:limit]
    for pattern in ("\n\n", "\n"):
        at = window.rfind(pattern)
        if at != -1:
            return floor + at + len(pattern)
    ends = list(_SENTENCE_END.finditer(window))
    if ends:
        return floor + ends[-1].end()
    at = window.rfind(" ")
    return floor + at + 1 if at != -1 else limit


def _start_after(text: str, position: int, limit: int) -> int:
    """The first paragraph or sentence start in ``[position, limit)``, else ``position``."""
    window = text[position:limit]
    at = window.find("\n")
    if at != -1 and position + at + 1 < limit:
        return position + at + 1
    match = _SENTENCE_END.search(window)
    if match and position + match.end() < limit:
        return position + match.end()
    return position


def chunk_ranges(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """``(start, end)`` ranges covering ``text``; a single range when it fits."""
    if len(text) <= size:
        return [(0, len(text))]
    ranges: list[tuple[int, int]] = []
    start = 0
    while True:
        end = (
            len(text)
            if start + size >= len(text)
            else _cut_before(text, start + size, start + size // 2)
        )
        ranges.append((start, end))
        if end >= len(text):
            return ranges
        next_start = _start_after(text, max(end - overlap, start + 1), end)
        start = max(next_start, start + 1)
