"""Locate model-proposed strings (quotes, mentions, cues, evidence) in the raw article text.

The model's offsets are never trusted. Each string is found by a cascade:

1. ``exact``: a plain substring of the raw text;
2. ``normalized``: a substring after folding curly/straight quotes, dashes, whitespace runs
   and "…" / "..." (case is kept), found in a cached normalised copy of the text whose
   index map leads back to raw offsets (:mod:`claimstance.text.normalize`);
3. ``fuzzy``: a rapidfuzz alignment on the normalised strings with similarity at or above a
   threshold, only for needles of at least ``FUZZY_MIN_LEN`` characters.

Every result is a pair of raw offsets with ``text[start:end]`` being the located words,
stripped of surrounding whitespace. Among several occurrences, whole-word occurrences are
preferred (so "he" is not found inside "the"), then the one closest to ``near``, then the first.
Quotes the model cut, elided or split around their cue are assembled from pieces found
here by :mod:`claimstance.grounding.quote_align`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from claimstance.schemas.models import Span
from claimstance.text.normalize import (
    BLANK,
    norm_needle,
    normalized_text,
)

Method = Literal["exact", "normalized", "fuzzy"]

FUZZY_MIN_LEN = 12  # normalised characters; shorter needles never fuzzy-match
#: Longer needles are fuzzy-matched by their two ends, then judged whole: a sliding partial
#: match costs about the product of the lengths (42 s for a 22 KB quote).
FUZZY_MAX_LEN = 1500
FUZZY_END = 300


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


# --------------------------------------------------------------------------- helpers


def search_bounds(text: str, window: tuple[int, int] | None) -> tuple[int, int]:
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


def rank_spans(
    spans: Sequence[tuple[int, int]], text: str, near: int | None
) -> list[tuple[int, int]]:
    def key(span: tuple[int, int]) -> tuple[bool, int, int]:
        distance = 0 if near is None else max(span[0] - near, near - span[1], 0)
        return (not _whole_words(text, *span), distance, span[0])

    return sorted(spans, key=key)


def _norm_range(text: str, lo: int, hi: int) -> tuple[str, tuple[int, ...], int, int]:
    norm, index = normalized_text(text)
    return norm, index, bisect_left(index, lo, 0, len(norm)), bisect_left(index, hi, 0, len(norm))


def occurrences(
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


def fuzzy_align(
    needle: str, text: str, lo: int, hi: int, near: int | None, threshold: float
) -> Alignment | None:
    target = norm_needle(needle)
    if len(target) < FUZZY_MIN_LEN or threshold > 1.0:
        return None
    if len(target) > FUZZY_MAX_LEN:
        return _fuzzy_by_ends(target, text, lo, hi, near, threshold)
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


def _fuzzy_by_ends(
    target: str, text: str, lo: int, hi: int, near: int | None, threshold: float
) -> Alignment | None:
    """A long needle: its first and last :data:`FUZZY_END` characters located fuzzily, in
    order, and the whole span between them judged by one ratio (linear-time enough)."""
    head = fuzzy_align(target[:FUZZY_END], text, lo, hi, near, threshold)
    if head is None:
        return None
    tail = fuzzy_align(target[-FUZZY_END:], text, head.start, hi, None, threshold)
    if tail is None or tail.end <= head.start:
        return None
    norm, _, nlo, nhi = _norm_range(text, head.start, tail.end)
    score = fuzz.ratio(target, norm[nlo:nhi]) / 100.0
    if score < threshold:
        return None
    return Alignment(head.start, tail.end, "fuzzy", min(1.0, score))


def locate(
    needle: str, text: str, lo: int, hi: int, near: int | None, threshold: float, fuzzy: bool
) -> Alignment | None:
    method, spans = occurrences(needle, text, lo, hi)
    if spans:
        start, end = rank_spans(spans, text, near)[0]
        return Alignment(start, end, method, 1.0)
    return fuzzy_align(needle, text, lo, hi, near, threshold) if fuzzy else None


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
    lo, hi = search_bounds(text, window)
    return locate(needle, text, lo, hi, near, threshold, fuzzy=True)
