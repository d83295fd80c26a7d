"""Locate model-proposed strings (quotes, mentions, cues, evidence) in the raw article text.

The model's offsets are never trusted. Each string is found by a cascade:

1. ``exact``: a plain substring of the raw text;
2. ``normalized``: a substring after folding curly/straight quotes, dashes, whitespace runs
   and "…" / "..." (case is kept), found in a cached normalised copy of the text whose
   index map leads back to raw offsets;
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
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from schemas.models import Span

Method = Literal["exact", "normalized", "fuzzy"]

DOUBLE_QUOTES = '"“”„‟«»″'
SINGLE_QUOTES = "'‘’‚‛′"
QUOTES = DOUBLE_QUOTES + SINGLE_QUOTES
DASHES = "–—‒−‐‑―"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width characters and soft hyphen

FUZZY_MIN_LEN = 12  # normalised characters; shorter needles never fuzzy-match
MAX_GAP = 200  # raw characters allowed between the pieces of one quote
MAX_ELIDED_GAP = 600  # ... where the model marked the skipped words with an ellipsis
MIN_PIECE_LEN = 8  # normalised characters of a piece found by greedy splitting
_MAX_FIRST_CANDIDATES = 8
_CLOSING_PUNCT = ".,;:!?…" + DASHES + "-"
_WORSE = {"exact": 0, "normalized": 1, "fuzzy": 2}

_FOLD = {
    **dict.fromkeys(DOUBLE_QUOTES, '"'),
    **dict.fromkeys(SINGLE_QUOTES, "'"),
    **dict.fromkeys(DASHES, "-"),
}
_FOLDABLE = re.compile(f"[{re.escape(''.join(_FOLD))}]")  # re.sub beats str.translate here
# Whitespace runs other than a lone space, invisible characters, and the ellipsis character.
_SPECIAL = re.compile(f"[\\s{INVISIBLE}]{{2,}}|[^\\S ]|[{INVISIBLE}]|…")
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


# --------------------------------------------------------------------------- normalisation


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


_normalized_text = lru_cache(maxsize=16)(_normalize)  # articles only, never needles


def normalize(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the raw index it comes from.

    The map has one more entry than the normalised text: ``len(text)`` as a sentinel. A
    normalised span ``[i, j)`` (``j > i``) covers the raw span ``[map[i], map[j - 1] + 1)``.
    """
    norm, index = _normalized_text(text)
    return norm, list(index)


def _norm_needle(needle: str) -> str:
    return _normalize(needle)[0].strip()


# --------------------------------------------------------------------------- helpers


def _bounds(text: str, window: tuple[int, int] | None) -> tuple[int, int]:
    if window is None:
        return 0, len(text)
    lo = max(0, min(window[0], len(text)))
    return lo, max(lo, min(window[1], len(text)))


def _blank(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    return start, end


def _whole_words(text: str, start: int, end: int) -> bool:
    """True unless the span cuts a word at either end."""
    left = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    right = end >= len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return left and right


def _ranked(spans: Sequence[tuple[int, int]], text: str, near: int | None) -> list[tuple[int, int]]:
    def key(span: tuple[int, int]) -> tuple[bool, int, int]:
        distance = 0 if near is None else max(span[0] - near, near - span[1], 0)
        return (not _whole_words(text, *span), distance, span[0])

    return sorted(spans, key=key)


def _norm_range(text: str, lo: int, hi: int) -> tuple[str, tuple[int, ...], int, int]:
    norm, index = _normalized_text(text)
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
    target = _norm_needle(needle)
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
    """Refine one end of a fuzzy window: best ratio, then word boundary, then least shift."""
    best_key: tuple[float, bool, int] | None = None
    best = moving
    lo, hi = max(0, moving - radius), min(len(hay), moving + radius)
    for cut in range(lo, hi + 1):
        start, end = (cut, fixed) if left else (fixed, cut)
        if end - start < 1:
            continue
        edge = (
            (start == 0 or hay[start - 1] == " ") if left else (end == len(hay) or hay[end] == " ")
        )
        key = (fuzz.ratio(needle, hay[start:end]), edge, -abs(cut - moving))
        if best_key is None or key > best_key:
            best_key, best = key, cut
    return best


def _fuzzy(
    needle: str, text: str, lo: int, hi: int, near: int | None, threshold: float, min_len: int
) -> Alignment | None:
    target = _norm_needle(needle)
    if len(target) < max(min_len, 1) or threshold > 1.0:
        return None
    norm, index, nlo, nhi = _norm_range(text, lo, hi)
    ranges = [(nlo, nhi)]
    if near is not None:  # try the neighbourhood of `near` first: cheaper and more local
        centre, radius = bisect_left(index, near, 0, len(norm)), 2 * len(target) + 200
        local = (max(nlo, centre - radius), min(nhi, centre + radius))
        if local != ranges[0]:
            ranges.insert(0, local)
    cutoff = threshold * 100.0
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
    needle: str,
    text: str,
    lo: int,
    hi: int,
    near: int | None,
    threshold: float,
    *,
    fuzzy: bool,
    min_fuzzy_len: int = FUZZY_MIN_LEN,
) -> Alignment | None:
    method, spans = _occurrences(needle, text, lo, hi)
    if spans:
        start, end = _ranked(spans, text, near)[0]
        return Alignment(start, end, method, 1.0)
    return _fuzzy(needle, text, lo, hi, near, threshold, min_fuzzy_len) if fuzzy else None


def align(
    needle: str,
    text: str,
    *,
    window: tuple[int, int] | None = None,
    near: int | None = None,
    threshold: float = 0.9,
    min_fuzzy_len: int = FUZZY_MIN_LEN,
) -> Alignment | None:
    """Locate ``needle`` in ``text`` (exact, then normalised, then fuzzy), or None.

    ``window`` limits the search to ``text[window[0]:window[1]]`` (offsets stay absolute);
    ``near`` picks, among several occurrences, the one closest to that offset.
    """
    lo, hi = _bounds(text, window)
    return _locate(needle, text, lo, hi, near, threshold, fuzzy=True, min_fuzzy_len=min_fuzzy_len)


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
    if open_at > 0 and text[open_at - 1].isalnum():
        return a  # an apostrophe, not an opening mark
    family = DOUBLE_QUOTES if text[open_at] in DOUBLE_QUOTES else SINGLE_QUOTES
    if end - 1 > open_at and text[end - 1] in family:
        close_end = end
    else:
        j = end
        while j < n and j - end < 3 and text[j] in _CLOSING_PUNCT:
            j += 1
        if j >= n or text[j] not in family:
            return a
        close_end = j + 1
    if close_end < n and text[close_end].isalnum():
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


def _chain_greedy(
    core: str, text: str, lo: int, hi: int, near: int | None
) -> list[Alignment] | None:
    """Split where direct alignment fails: the longest prefix that is found, then the rest."""
    rest, _ = _strip_separators(_norm_needle(core))
    length, method, spans = _longest_prefix(rest, text, lo, hi, None)
    if length < MIN_PIECE_LEN:
        return None
    for start, end in _ranked(spans, text, near)[:_MAX_FIRST_CANDIDATES]:
        pieces = [Alignment(start, end, method, 1.0)]
        single = _opens_single(text, start)
        remaining, elided = _strip_separators(rest[length:])
        while remaining:
            prev, gap = pieces[-1].end, MAX_ELIDED_GAP if elided else MAX_GAP
            whi = min(hi, prev + gap + 2 * len(remaining) + 16)
            size, how, found = _longest_prefix(remaining, text, prev, whi, prev + gap)
            if size < MIN_PIECE_LEN:
                break
            s, e = _ranked(found, text, prev)[0]
            if not _gap_ok(text, prev, s, elided, single):
                break
            pieces.append(Alignment(s, e, how, 1.0))
            remaining, elided = _strip_separators(remaining[size:])
        if not remaining:
            return pieces
    return None


def _segments(core: str) -> list[tuple[str, bool]]:
    """The quote split at ellipses and sentence ends, each flagged if an ellipsis precedes it."""
    out: list[tuple[str, bool]] = []
    pos, elided = 0, False
    for match in _SEGMENT_BREAK.finditer(core):
        if match.start() > pos:
            out.append((core[pos : match.start()], elided))
            elided = False
        elided = elided or "..." in match.group()
        pos = max(pos, match.end())
    if pos < len(core):
        out.append((core[pos:], elided))
    return out


def _chain_segments(
    core: str, text: str, lo: int, hi: int, near: int | None, threshold: float
) -> list[Alignment] | None:
    """Align sentence/ellipsis segments in order, each with the full cascade (fuzzy too)."""
    segments = _segments(_norm_needle(core))
    if len(segments) < 2:
        return None
    pieces: list[Alignment] = []
    single = False
    for segment, elided in segments:
        if not pieces:
            found = _locate(segment, text, lo, hi, near, threshold, fuzzy=True)
            single = found is not None and _opens_single(text, found.start)
        else:
            prev, gap = pieces[-1].end, MAX_ELIDED_GAP if elided else MAX_GAP
            whi = min(hi, prev + gap + 2 * len(segment) + 16)
            found = _locate(segment, text, prev, whi, prev, threshold, fuzzy=True)
            if found is not None and not _gap_ok(text, prev, found.start, elided, single):
                found = None
        if found is None:
            return None
        pieces.append(found)
    return pieces


def align_quote(
    quote: str,
    text: str,
    *,
    window: tuple[int, int] | None = None,
    near: int | None = None,
    threshold: float = 0.9,
) -> QuoteAlignment | None:
    """Locate a quote, including its quotation marks when the text has them around it.

    Tries, in order: the whole quote (exact/normalised); pieces found by greedy splitting
    where direct alignment fails; pieces split at sentence ends and ellipses (fuzzy allowed);
    the whole quote fuzzily. Pieces must be in order, at most ``MAX_GAP`` characters apart,
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
        pieces = _chain_greedy(core, text, lo, hi, near)
    if pieces is None:
        pieces = _chain_segments(core, text, lo, hi, near, threshold)
    if pieces is None:
        fuzzy = _fuzzy(core, text, lo, hi, near, threshold, FUZZY_MIN_LEN)
        pieces = [fuzzy] if fuzzy else None
    return _assemble(text, pieces) if pieces else None
