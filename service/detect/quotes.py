"""Find quotation-marked passages in raw text.

``find_quotes(text)`` returns the outermost quoted passages, in text order and without
overlaps. Spans include their quotation marks. Handled:

* straight and curly, double and single marks, guillemets, mixed glyphs ("“…\"");
* a doubled apostrophe ``''`` as a double mark (``''Yes,'' he said.``);
* apostrophes (don't, Xi's, ’90s, officials’) are not quote marks;
* nesting (“He said ‘no’ to me” is one passage; so is 'He said "no"');
* passages spanning paragraphs: a paragraph without a closing mark whose next paragraph
  opens with a quote mark continues into it (English convention);
* unclosed passages stop at the end of their paragraph (``closed=False``);
* a closing mark without an opener starts the passage at its paragraph's start
  (``opened=False``), e.g. ``The main problem is X,” a spokesman said.``
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from claimstance.text.glyphs import (
    CLAUSE_DASHES,
    DASHES,
    DOUBLE_CLOSING,
    DOUBLE_MARKS,
    DOUBLE_OPENING,
    DOUBLE_STRAIGHT,
    QUOTE_MARKS,
    SINGLE_MARKS,
    char_class,
)

_OPEN_PREV = " \t\n\r\u00a0([{-/:;,…" + DASHES + QUOTE_MARKS
_CLOSE_NEXT = " \t\n\r\u00a0)]}.,;:!?-…/" + DASHES + QUOTE_MARKS
_ELISIONS = re.compile(r"(?:em|til|cause|n|twas|tis|bout|round|s)\b", re.IGNORECASE)

OPEN, CLOSE, EITHER = 1, 2, 3
# A doubled apostrophe ('') is a double quotation mark (NYT style: ''Yes,'' he said.).
_DOUBLE_RE = re.compile("''(?!')|[" + char_class(DOUBLE_MARKS) + "]")


@dataclass(frozen=True)
class QuoteSpan:
    """A quoted passage ``text[start:end]``, marks included when present."""

    start: int
    end: int
    opened: bool = True
    closed: bool = True
    single: bool = False
    open_len: int = 1  # 2 for a doubled apostrophe ''
    close_len: int = 1

    @property
    def inner_start(self) -> int:
        return self.start + self.open_len if self.opened else self.start

    @property
    def inner_end(self) -> int:
        return self.end - self.close_len if self.closed else self.end


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, whitespace trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _orientation(text: str, i: int, double: bool, width: int = 1) -> int:
    prev = text[i - 1] if i > 0 else "\n"
    nxt = text[i + width] if i + width < len(text) else "\n"
    can_open = (prev in _OPEN_PREV) and not nxt.isspace() and nxt not in ".,;:!?)"
    can_close = (not prev.isspace()) and (nxt in _CLOSE_NEXT)
    if can_open and not can_close:
        return OPEN
    if can_close and not can_open:
        return CLOSE
    ch = text[i]
    if double:
        if ch in DOUBLE_OPENING:
            return OPEN
        if ch in DOUBLE_CLOSING:
            return CLOSE
    return EITHER


class _Paragraphs:
    def __init__(self, text: str) -> None:
        self.bounds = paragraph_bounds(text)
        self.starts = [s for s, _ in self.bounds]

    def index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def end_of(self, pos: int) -> int:
        return self.bounds[self.index(pos)][1] if self.bounds else pos


def _double_quotes(text: str, paras: _Paragraphs) -> list[QuoteSpan]:
    marks = [
        (m.start(), len(m.group()), _orientation(text, m.start(), True, len(m.group())))
        for m in _DOUBLE_RE.finditer(text)
    ]
    spans: list[QuoteSpan] = []
    open_pos: int | None = None
    open_len = 1
    open_para = 0  # paragraph the open passage has reached (continuations move it on)
    last_end = -1
    for i, width, orient in marks:
        kind = orient
        if text[i] in DOUBLE_STRAIGHT and i > 0 and text[i - 1].isdigit() and open_pos is None:
            continue  # inch mark: 5" tall
        if open_pos is not None:
            pi, pj = open_para, paras.index(i)
            if pj > pi:
                # Paragraph continuation: the next paragraph opens with a quote mark.
                if pj == pi + 1 and i == paras.starts[pj] and kind != CLOSE:
                    open_para = pj
                    continue
                end = paras.bounds[pi][1]
                spans.append(QuoteSpan(open_pos, end, closed=False, open_len=open_len))
                last_end, open_pos = end, None
        if open_pos is None:
            if kind == CLOSE:
                p_start = paras.bounds[paras.index(i)][0] if paras.bounds else 0
                start = max(p_start, last_end)
                while start < i and text[start] in " \t,;-" + CLAUSE_DASHES:
                    start += 1
                if len(text[start:i].split()) >= 4 and paras.index(start) == paras.index(i):
                    spans.append(QuoteSpan(start, i + width, opened=False, close_len=width))
                    last_end = i + width
                continue
            open_pos, open_len, open_para = i, width, paras.index(i)
            continue
        if kind == OPEN and i > open_pos + open_len:
            # A second opener while open: the first passage lost its closing mark.
            end = i
            while end > open_pos + open_len and text[end - 1].isspace():
                end -= 1
            spans.append(QuoteSpan(open_pos, end, closed=False, open_len=open_len))
            open_pos, open_len, open_para = i, width, paras.index(i)
            continue
        spans.append(QuoteSpan(open_pos, i + width, open_len=open_len, close_len=width))
        last_end, open_pos = i + width, None
    if open_pos is not None:
        spans.append(QuoteSpan(open_pos, paras.end_of(open_pos), closed=False, open_len=open_len))
    return [s for s in spans if s.end - s.start > s.open_len + s.close_len or not s.closed]


def _is_apostrophe(text: str, i: int) -> bool:
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if prev.isalnum() and nxt.isalnum():
        return True  # don't, Xi's, rock'n'roll
    if nxt.isdigit():
        return True  # ’90s
    return bool(not prev.isalnum() and _ELISIONS.match(text, i + 1))


def _single_quotes(text: str, paras: _Paragraphs) -> list[QuoteSpan]:
    marks: list[tuple[int, int, bool]] = []  # (pos, orientation, strong)
    for m in re.finditer("[" + char_class(SINGLE_MARKS) + "]", text):
        i = m.start()
        if text[i] == "'" and "'" in (text[i - 1 : i], text[i + 1 : i + 2]):
            continue  # part of a doubled apostrophe, a double mark
        if _is_apostrophe(text, i):
            continue
        orient = _orientation(text, i, False)
        if orient == EITHER:
            continue
        nxt = text[i + 2] if i + 2 < len(text) else ""
        weak = orient == CLOSE and text[i - 1] in "sz" and text[i + 1 : i + 2] == " "
        weak = weak and nxt.islower()
        marks.append((i, orient, not weak))
    spans: list[QuoteSpan] = []
    open_pos: int | None = None
    for k, (i, orient, strong) in enumerate(marks):
        if open_pos is not None and paras.index(i) != paras.index(open_pos):
            open_pos = None
        if orient == OPEN:
            open_pos = i
            continue
        if open_pos is None:
            continue
        if not strong and _strong_close_ahead(marks, k, paras):
            continue
        spans.append(QuoteSpan(open_pos, i + 1, single=True))
        open_pos = None
    return spans


def _strong_close_ahead(marks: list[tuple[int, int, bool]], k: int, paras: _Paragraphs) -> bool:
    para = paras.index(marks[k][0])
    for i, orient, strong in marks[k + 1 :]:
        if paras.index(i) != para or orient == OPEN:
            return False
        if strong:
            return True
    return False


def find_quotes(text: str) -> list[QuoteSpan]:
    """Outermost quoted passages in text order, non-overlapping."""
    paras = _Paragraphs(text)
    doubles = _double_quotes(text, paras)
    singles = _single_quotes(text, paras)
    if not singles:
        return doubles
    spans = sorted(doubles + singles, key=lambda q: (q.start, -q.end))
    out: list[QuoteSpan] = []
    for q in spans:
        if out and q.start < out[-1].end:
            prev = out[-1]
            if q.end <= prev.end:
                continue  # nested inside the previous passage
            if prev.single and not q.single:
                out[-1] = q  # crossing: the double marks win
            continue
        out.append(q)
    # A double passage nested inside a single one was dropped above only if it started
    # later; a single that started first and contains doubles is kept as the outer one.
    return out
