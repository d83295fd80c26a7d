"""Locate a quote the model may have cut, elided or split around its cue.

A model often quotes ``“A,” he said. “B.”`` as "A B", writes "…" for skipped words, or
drops the closing words of a sentence. :func:`align_quote` finds such a quote as pieces
located in order with :mod:`claimstance.grounding.locate` (each the longest prefix of the rest that
is found exactly, else its next sentence or elided segment found fuzzily), allows a gap
between them only where the text closes and reopens the quotation or the model wrote an
ellipsis, and widens the result to the quotation marks around it. Offsets are raw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimstance.grounding.locate import (
    Alignment,
    Method,
    fuzzy_align,
    locate,
    occurrences,
    rank_spans,
    search_bounds,
)
from claimstance.text.normalize import DASHES, DOUBLE_QUOTES, QUOTES, SINGLE_QUOTES, norm_needle

MAX_GAP = 200  # raw characters allowed between the pieces of one quote
MAX_ELIDED_GAP = 600  # ... where the model marked the skipped words with an ellipsis
MIN_PIECE_LEN = 8  # normalised characters of a piece of a quote found exactly
_CLOSING_PUNCT = ".,;:!?…" + DASHES + "-"
_WORSE = {"exact": 0, "normalized": 1, "fuzzy": 2}
_EDGE_MARKS = f"[\\s{re.escape(QUOTES)}]*"
_ELLIPSIS = r"(?:…|(?:\.\s?){2,}\.)"
_CORE_EDGES = re.compile(
    f"^{_EDGE_MARKS}(?:{_ELLIPSIS}{_EDGE_MARKS})?|{_EDGE_MARKS}(?:{_ELLIPSIS}{_EDGE_MARKS})?$"
)
_LEADING_SEPARATORS = re.compile(r"""[\s.,;:!?\-"'\[\]()]*""")
_SEGMENT_BREAK = re.compile(r"""\s*[\[(]?\.{3,}[\])]?\s*|(?<=[.!?])["']?\s+""")


@dataclass(frozen=True)
class QuoteAlignment:
    """A located quote: ``extent`` spans all of it; ``parts`` only when it is discontinuous."""

    extent: Alignment
    parts: tuple[Alignment, ...] = ()


def _core(quote: str) -> str:
    """The quote without enclosing quotation marks and leading/trailing ellipses."""
    return _CORE_EDGES.sub("", quote.strip()).strip()


def _opens_single(text: str, start: int) -> bool:
    return (
        start > 0
        and text[start - 1] in SINGLE_QUOTES
        and (start < 2 or not text[start - 2].isalnum())
    )


def _interrupted(gap: str, single: bool) -> bool:
    """Whether the quotation is closed and reopened in ``gap`` (e.g. ``,” he said. “``)."""
    if not single:
        return any(ch in DOUBLE_QUOTES for ch in gap)
    return any(
        ch in SINGLE_QUOTES
        and not (0 < k < len(gap) - 1 and gap[k - 1].isalnum() and gap[k + 1].isalnum())
        for k, ch in enumerate(gap)
    )


def _gap_ok(text: str, end: int, start: int, elided: bool, single: bool) -> bool:
    """Pieces may skip words only where the model wrote an ellipsis or the quote is broken."""
    gap = text[end:start]
    if not 0 <= start - end <= (MAX_ELIDED_GAP if elided else MAX_GAP):
        return False
    return elided or not any(ch.isalnum() for ch in gap) or _interrupted(gap, single)


def _combine(group: Sequence[Alignment]) -> Alignment:
    method = max((a.method for a in group), key=_WORSE.__getitem__)
    return Alignment(group[0].start, group[-1].end, method, min(a.score for a in group))


def _enclose(text: str, a: Alignment) -> Alignment:
    """Widen ``a`` to the quotation marks immediately around it (closing punctuation inside)."""
    start, end, n = a.start, a.end, len(text)
    if start < end and text[start] in QUOTES:
        open_at = start
    elif start > 0 and text[start - 1] in QUOTES:
        open_at = start - 1
    else:
        return a
    family = DOUBLE_QUOTES if text[open_at] in DOUBLE_QUOTES else SINGLE_QUOTES
    single = family == SINGLE_QUOTES
    if single and open_at > 0 and text[open_at - 1].isalnum():
        return a  # an apostrophe, not an opening mark
    if end - 1 > open_at and text[end - 1] in family:
        close_end = end
    else:
        j = end
        while j < n and j - end < 3 and text[j] in _CLOSING_PUNCT:
            j += 1
        if j >= n or text[j] not in family:
            return a
        close_end = j + 1
    if single and close_end < n and text[close_end].isalnum():
        return a
    return Alignment(open_at, close_end, a.method, a.score)


def _assemble(text: str, pieces: Sequence[Alignment]) -> QuoteAlignment:
    """Merge pieces of one quotation, enclose each part in its marks, build the extent."""
    single = _opens_single(text, pieces[0].start)
    groups: list[list[Alignment]] = [[pieces[0]]]
    for piece in pieces[1:]:
        if _interrupted(text[groups[-1][-1].end : piece.start], single):
            groups.append([piece])
        else:
            groups[-1].append(piece)
    parts = tuple(_enclose(text, _combine(group)) for group in groups)
    if len(parts) == 1:
        return QuoteAlignment(parts[0], ())
    return QuoteAlignment(_combine(parts), parts)


def _strip_separators(rest: str) -> tuple[str, bool]:
    separators = _LEADING_SEPARATORS.match(rest)
    cut = separators.end() if separators else 0
    return rest[cut:], "..." in rest[:cut]


def _cuts(s: str) -> list[int]:
    """Prefix lengths that end a word or a run of punctuation."""
    return [
        i
        for i in range(1, len(s) + 1)
        if s[i - 1] != " " and (i == len(s) or s[i] == " " or s[i - 1].isalnum() != s[i].isalnum())
    ]


def _longest_prefix(
    rest: str, text: str, lo: int, hi: int, max_start: int | None
) -> tuple[int, Method, list[tuple[int, int]]]:
    """Binary search for the longest word-bounded prefix of ``rest`` found in the window."""
    cuts = _cuts(rest)
    best: tuple[int, Method, list[tuple[int, int]]] = (0, "exact", [])
    low, high = 0, len(cuts) - 1
    while low <= high:
        mid = (low + high) // 2
        method, spans = occurrences(rest[: cuts[mid]], text, lo, hi, max_start)
        if spans:
            best, low = (cuts[mid], method, spans), mid + 1
        else:
            high = mid - 1
    return best


def _next_piece(
    rest: str, text: str, lo: int, hi: int, near: int | None, threshold: float, last: int | None
) -> tuple[int, Alignment] | None:
    """How much of ``rest`` the next piece covers, and where it is: the longest prefix that is
    found exactly (or normalised), else the first sentence or elided segment, fuzzily."""
    size, method, spans = _longest_prefix(rest, text, lo, hi, last)
    if size >= MIN_PIECE_LEN:
        start, end = rank_spans(spans, text, near)[0]
        return size, Alignment(start, end, method, 1.0)
    stop = _SEGMENT_BREAK.search(rest, 1)
    size = stop.start() if stop else len(rest)
    found = fuzzy_align(rest[:size], text, lo, hi, near, threshold)
    return (size, found) if found else None


def _chain(
    core: str, text: str, lo: int, hi: int, near: int | None, threshold: float
) -> list[Alignment] | None:
    """Align the quote piece by piece, in order, each piece close after the previous one."""
    rest, elided = _strip_separators(norm_needle(core))
    pieces: list[Alignment] = []
    single = False
    while rest:
        if pieces:
            prev, gap = pieces[-1].end, MAX_ELIDED_GAP if elided else MAX_GAP
            window = (prev, min(hi, prev + gap + 2 * len(rest) + 16))
            found = _next_piece(rest, text, *window, prev, threshold, prev + gap)
        else:
            found = _next_piece(rest, text, lo, hi, near, threshold, None)
        if found is None:
            return None
        size, piece = found
        if not pieces:
            single = _opens_single(text, piece.start)
        elif not _gap_ok(text, pieces[-1].end, piece.start, elided, single):
            return None
        pieces.append(piece)
        rest, elided = _strip_separators(rest[size:])
    return pieces or None


def align_quote(
    quote: str,
    text: str,
    *,
    window: tuple[int, int] | None = None,
    near: int | None = None,
    threshold: float = 0.9,
) -> QuoteAlignment | None:
    """Locate a quote, including its quotation marks when the text has them around it.

    Tries, in order: the whole quote (exact/normalised); pieces in order, each the longest
    prefix of the rest that is found exactly, else its next sentence or elided segment found
    fuzzily; the whole quote fuzzily. Pieces must be in order, at most ``MAX_GAP`` characters apart,
    and may skip words only where the model wrote an ellipsis or the quotation is closed and
    reopened (``“A,” he said. “B.”``). Returns None when nothing aligns.
    """
    core = _core(quote)
    if not core:
        return None
    lo, hi = search_bounds(text, window)
    direct = locate(core, text, lo, hi, near, threshold, fuzzy=False)
    pieces: list[Alignment] | None = [direct] if direct else None
    if pieces is None:
        pieces = _chain(core, text, lo, hi, near, threshold)
    if pieces is None:
        fuzzy = fuzzy_align(core, text, lo, hi, near, threshold)
        pieces = [fuzzy] if fuzzy else None
    return _assemble(text, pieces) if pieces else None
