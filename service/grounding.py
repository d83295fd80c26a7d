"""Locate model-proposed strings (quotes, mentions, cues, evidence) in the raw article text.

The model's offsets are never trusted. Each string is found by a cascade:

1. ``exact``: a plain substring of the raw text;
2. ``normalized``: a substring after folding curly/straight quotes, dashes, whitespace runs
   and "…" / "..." (case is kept), found in a cached normalised copy of the text whose
   index map leads back to raw offsets (:mod:`service.textnorm`);
3. ``fuzzy``: a rapidfuzz alignment on the normalised strings with similarity at or above a
   threshold, only for needles of at least ``FUZZY_MIN_LEN`` characters.

Every result is a pair of raw offsets with ``text[start:end]`` being the located words,
stripped of surrounding whitespace. Among several occurrences, whole-word occurrences are
preferred (so "he" is not found inside "the"), then the one closest to ``near``, then the first.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from schemas.models import Span
from service.textnorm import (
    BLANK,
    DASHES,
    DOUBLE_QUOTES,
    QUOTES,
    SINGLE_QUOTES,
    norm_needle,
    normalized_text,
)

Method = Literal["exact", "normalized", "fuzzy"]

FUZZY_MIN_LEN = 12  # normalised characters; shorter needles never fuzzy-match
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
class Alignment:
    """Raw offsets of a located string, how it was found and how similar it is (0-1)."""

    start: int
    end: int
    method: Method
    score: float = 1.0  # 1.0 for exact and normalized

    def to_span(self, text: str) -> Span:
        return Span(
            text=text[self.start : self.end],
            start=self.start,
            end=self.end,
            alignment=self.method,
            score=min(1.0, max(0.0, self.score)),
        )


@dataclass(frozen=True)
class QuoteAlignment:
    """A located quote: ``extent`` spans all of it; ``parts`` only when it is discontinuous."""

    extent: Alignment
    parts: tuple[Alignment, ...] = ()


# --------------------------------------------------------------------------- helpers


def _bounds(text: str, window: tuple[int, int] | None) -> tuple[int, int]:
    if window is None:
        return 0, len(text)
    lo = max(0, min(window[0], len(text)))
    return lo, max(lo, min(window[1], len(text)))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip(BLANK))
    return start, max(start, end - len(piece) + len(piece.rstrip(BLANK)))


def _inside_word(text: str, at: int) -> bool:
    """True when offset ``at`` (0 < at < len) falls between two letters or digits."""
    return text[at - 1].isalnum() and text[at].isalnum()


def _whole_words(text: str, start: int, end: int) -> bool:
    """True unless the span cuts a word at either end."""
    return (start == 0 or not _inside_word(text, start)) and (
        end >= len(text) or not _inside_word(text, end)
    )


def _ranked(spans: Sequence[tuple[int, int]], text: str, near: int | None) -> list[tuple[int, int]]:
    def key(span: tuple[int, int]) -> tuple[bool, int, int]:
        distance = 0 if near is None else max(span[0] - near, near - span[1], 0)
        return (not _whole_words(text, *span), distance, span[0])

    return sorted(spans, key=key)


def _norm_range(text: str, lo: int, hi: int) -> tuple[str, tuple[int, ...], int, int]:
    norm, index = normalized_text(text)
    return norm, index, bisect_left(index, lo, 0, len(norm)), bisect_left(index, hi, 0, len(norm))


def _occurrences(
    needle: str, text: str, lo: int, hi: int, max_start: int | None = None
) -> tuple[Method, list[tuple[int, int]]]:
    """Exact occurrences inside ``[lo, hi)``, or if there are none the normalised ones."""
    limit = hi if max_start is None else max_start
    raw = needle.strip()
    found: list[tuple[int, int]] = []
    at = text.find(raw, lo, hi) if raw else -1
    while 0 <= at <= limit:
        found.append((at, at + len(raw)))
        at = text.find(raw, at + 1, hi)
    if found:
        return "exact", found
    target = norm_needle(needle)
    if not target:
        return "normalized", found
    norm, index, nlo, nhi = _norm_range(text, lo, hi)
    at = norm.find(target, nlo, nhi)
    while at >= 0:
        start, end = _trim(text, index[at], index[at + len(target) - 1] + 1)
        if start > limit:
            break
        if end > start:
            found.append((start, end))
        at = norm.find(target, at + 1, nhi)
    return "normalized", found


def _best_cut(hay: str, needle: str, fixed: int, moving: int, radius: int, left: bool) -> int:
    """Refine one end of a fuzzy window to the word boundary with the best ratio."""
    lo, hi = max(0, moving - radius), min(len(hay), moving + radius)
    cuts = [c for c in range(lo, hi + 1) if c in (0, len(hay)) or not _inside_word(hay, c)]
    best_key: tuple[float, int] | None = None
    best = moving
    for cut in cuts or range(lo, hi + 1):
        start, end = (cut, fixed) if left else (fixed, cut)
        if end > start:
            key = (fuzz.ratio(needle, hay[start:end]), -abs(cut - moving))
            if best_key is None or key > best_key:
                best_key, best = key, cut
    return best


def _fuzzy(
    needle: str, text: str, lo: int, hi: int, near: int | None, threshold: float
) -> Alignment | None:
    target = norm_needle(needle)
    if len(target) < FUZZY_MIN_LEN or threshold > 1.0:
        return None
    norm, index, nlo, nhi = _norm_range(text, lo, hi)
    ranges = [(nlo, nhi)]
    if near is not None:  # try the neighbourhood of `near` first: cheaper and more local
        centre, radius = bisect_left(index, near, 0, len(norm)), 2 * len(target) + 200
        local = (max(nlo, centre - radius), min(nhi, centre + radius))
        if local != ranges[0]:
            ranges.insert(0, local)
    # partial_ratio only tries windows as long as the needle, which under-scores a match
    # with extra words in the text: search leniently, then judge the refined window.
    cutoff = max(0.0, threshold * 100.0 - 10.0)
    for a, b in ranges:
        hay = norm[a:b]
        hit = fuzz.partial_ratio_alignment(target, hay, score_cutoff=cutoff) if hay else None
        if hit is None:
            continue
        start, end = hit.dest_start, hit.dest_end
        radius = max(2, min(40, len(target) // 8))
        for _ in range(2):
            start = _best_cut(hay, target, end, start, radius, left=True)
            end = _best_cut(hay, target, start, end, radius, left=False)
        score = fuzz.ratio(target, hay[start:end]) / 100.0
        raw_start, raw_end = _trim(text, index[a + start], index[a + end - 1] + 1)
        if score >= threshold and raw_end > raw_start:
            return Alignment(raw_start, raw_end, "fuzzy", min(1.0, score))
    return None


def _locate(
    needle: str, text: str, lo: int, hi: int, near: int | None, threshold: float, fuzzy: bool
) -> Alignment | None:
    method, spans = _occurrences(needle, text, lo, hi)
    if spans:
        start, end = _ranked(spans, text, near)[0]
        return Alignment(start, end, method, 1.0)
    return _fuzzy(needle, text, lo, hi, near, threshold) if fuzzy else None


def align(
    needle: str,
    text: str,
    *,
    window: tuple[int, int] | None = None,
    near: int | None = None,
    threshold: float = 0.9,
) -> Alignment | None:
    """Locate ``needle`` in ``text`` (exact, then normalised, then fuzzy), or None.

    ``window`` limits the search to ``text[window[0]:window[1]]`` (offsets stay absolute);
    ``near`` picks, among several occurrences, the one closest to that offset.
    """
    lo, hi = _bounds(text, window)
    return _locate(needle, text, lo, hi, near, threshold, fuzzy=True)


# --------------------------------------------------------------------------- quotes


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
        method, spans = _occurrences(rest[: cuts[mid]], text, lo, hi, max_start)
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
        start, end = _ranked(spans, text, near)[0]
        return size, Alignment(start, end, method, 1.0)
    stop = _SEGMENT_BREAK.search(rest, 1)
    size = stop.start() if stop else len(rest)
    found = _fuzzy(rest[:size], text, lo, hi, near, threshold)
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
    lo, hi = _bounds(text, window)
    direct = _locate(core, text, lo, hi, near, threshold, fuzzy=False)
    pieces: list[Alignment] | None = [direct] if direct else None
    if pieces is None:
        pieces = _chain(core, text, lo, hi, near, threshold)
    if pieces is None:
        fuzzy = _fuzzy(core, text, lo, hi, near, threshold)
        pieces = [fuzzy] if fuzzy else None
    return _assemble(text, pieces) if pieces else None
