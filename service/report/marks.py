"""Span checks and the marks drawn over an article's text, made to nest.

A mark is ``(kind, start, end, ref)``: ``q`` a claim's quote (``ref``: the claim), ``Q`` the
rest of a quote that had to be cut where it crosses another claim, ``g`` the gap between two
parts of a quote (its cue and speaker usually sit there), ``c`` a cue (the claim), ``m`` a
speaker mention (the corpus speaker). The page builds nested elements from them with one
stack, so no two marks may cross: a mark that crosses one placed before it is cut at that
mark's boundary. Marks are placed in priority order (quotes, gaps, cues, mentions), so a
quote stays one element unless it crosses another quote.
"""

from __future__ import annotations

from collections.abc import Iterable

from claimstance.schemas.models import Span

Mark = tuple[str, int, int, int]

#: Placement priority; with equal spans the earlier kind is the outer element.
KINDS = ("q", "g", "c", "m")


def span_matches(text: str, span: Span | None) -> bool:
    """True when ``span`` is non-empty and ``text[start:end]`` is exactly its text."""
    if span is None or span.end <= span.start or span.end > len(text):
        return False
    return text[span.start : span.end] == span.text


def _crossing(start: int, end: int, placed: list[tuple[int, int]]) -> tuple[int, int] | None:
    for p_start, p_end in placed:
        overlaps = p_start < end and start < p_end
        nested = (p_start <= start and end <= p_end) or (start <= p_start and p_end <= end)
        if overlaps and not nested:
            return p_start, p_end
    return None


def _pieces(start: int, end: int, placed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end)`` cut into pieces none of which crosses a placed interval."""
    todo, done = [(start, end)], []
    while todo:
        a, b = todo.pop()
        hit = _crossing(a, b, placed)
        if hit is None:
            done.append((a, b))
            continue
        cut = hit[0] if a < hit[0] < b else hit[1]
        todo += [(a, cut), (cut, b)]
    return sorted(done)


def nest(marks: Iterable[Mark]) -> list[Mark]:
    """Marks that nest (no two cross), sorted for a one-stack build: by start, the longer
    (then the higher priority) first. Empty and repeated marks are dropped."""
    wanted = sorted(
        {(k, s, e, r) for k, s, e, r in marks if e > s},
        key=lambda m: (KINDS.index(m[0]), m[1], -m[2], m[3]),
    )
    placed: list[tuple[int, int]] = []
    seen: set[tuple[str, int, int]] = set()
    out: list[tuple[int, int, int, Mark]] = []
    for kind, start, end, ref in wanted:
        if (kind, start, end) in seen:
            continue
        seen.add((kind, start, end))
        for number, (a, b) in enumerate(_pieces(start, end, placed)):
            piece_kind = "Q" if kind == "q" and number > 0 else kind
            out.append((a, -b, len(out), (piece_kind, a, b, ref)))
            placed.append((a, b))
    return [mark for *_, mark in sorted(out)]
