"""Light segmentation of raw article text: tokens, sentences, paragraphs.

All positions are offsets into the text exactly as given. ``Doc`` precomputes everything
once so that the detection rules can ask cheap questions (which sentence holds this
offset, is this offset inside a quotation) in O(log n).
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from claimstance.detect.cues import (
    ABBREVIATIONS,
    ALL_VERB_FORMS,
    DETERMINERS,
    NAMING_FORMS,
    NOT_NAME_WORDS,
    SOURCE_NOUNS,
    SUBJECT_PRONOUNS,
)
from claimstance.detect.quotes import QuoteSpan, find_quotes, paragraph_bounds
from claimstance.text.glyphs import CLOSING_MARKS, OPENING_MARKS, char_class

#: Capitalised words a sentence opens with that do not go on with a name after an initial.
_SENTENCE_OPENERS = NOT_NAME_WORDS | SOURCE_NOUNS | DETERMINERS | SUBJECT_PRONOUNS
_WORD_RE = re.compile(r"\w+")  # a verb form is a whole \w run, as with cues.VERB_RE
TOKEN_RE = re.compile(r"\w+(?:[’'\-&.]\w+)*|\S")
# Sentence ends, line breaks, and breadcrumb separators ("Home » World » US and China
# pledge …", a spaced » or › before a capital), which are not closing guillemets.
_BOUNDARY_RE = re.compile(
    r"[.!?…]+["
    + char_class(CLOSING_MARKS)
    + r")\]]*(?=\s+["
    + char_class(OPENING_MARKS)
    + r"(\[A-Z0-9])"
    r"|\n+|(?<=\w)\s[»›]\s(?=[A-Z])"
)


class Token(NamedTuple):
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_cap(self) -> bool:
        return self.text[0].isupper()


#: A breadcrumb separator between items of a navigation line ("Home » World » Asia").
_CRUMB = re.compile(r"\S\s+[»›]\s+\S")
_TITLE_WORDS = 25  # a repeated line this short, near the top, is a title printed twice
_TITLE_LINES = 6
_TAG_WORD = re.compile(r"[A-Z][\w&'’.-]*|[A-Z]{2,}")


def layout_lines(text: str, paragraphs: list[tuple[int, int]]) -> dict[int, int]:
    """The page layout that is not article text, as {line index: where its text starts}:
    the crumbs of a breadcrumb line up to its last separator ("Home » World » " before the
    page title), and whole lines (start = end) for tag and category lists ("Asia China
    Featured Global News …") and for a short line that repeats an earlier line or title
    word for word (a title printed twice). Claims are never read from layout."""
    out: dict[int, int] = {}
    seen: set[str] = set()
    for k, (lo, hi) in enumerate(paragraphs):
        line = text[lo:hi]
        crumbs = list(_CRUMB.finditer(line))
        if len(crumbs) == 1 and ("«" in line or len(line[: crumbs[0].start() + 1].split()) > 3):
            crumbs = []  # « a quotation », or a sentence with a » in it: not a breadcrumb
        if crumbs:
            title = lo + crumbs[-1].end() - 1
            out[k] = title
            line = text[title:hi]
        words = line.split()
        key = " ".join(words).casefold()
        if key in seen and len(words) <= _TITLE_WORDS and k < _TITLE_LINES:
            out[k] = hi
        elif (
            len(words) >= 6
            and all(_TAG_WORD.fullmatch(w) for w in words)
            and not any(w.lower() in ALL_VERB_FORMS for w in words)
        ):
            out[k] = hi  # a Title Case headline has a verb: "Clinton Says Trump Lied"
        seen.add(key)
    return out


class Doc:
    """The text with its quotations, paragraphs, sentences and tokens."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.quotes: list[QuoteSpan] = find_quotes(text)
        self._q_starts = [q.start for q in self.quotes]
        self.paragraphs = paragraph_bounds(text)
        self._p_starts = [s for s, _ in self.paragraphs]
        self.layout = layout_lines(text, self.paragraphs)
        self.tokens = [Token(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text)]
        self._t_starts = [t.start for t in self.tokens]
        self.common_caps = self._common_caps()
        self.sentences = self._sentences()  # after the tokens: an initial looks at the next
        self._s_starts = [s for s, _ in self.sentences]
        self.verbs: list[tuple[int, int, str]] = []
        self.naming: list[tuple[int, int, str]] = []  # cues.NAMING_FORMS
        for m in _WORD_RE.finditer(text):
            low = m.group().lower()
            if low in ALL_VERB_FORMS:
                self.verbs.append((m.start(), m.end(), low))
            elif low in NAMING_FORMS:
                self.naming.append((m.start(), m.end(), low))
        self._v_starts = [v[0] for v in self.verbs]
        self._n_starts = [v[0] for v in self.naming]

    def _common_caps(self) -> frozenset[str]:
        """Capitalised words that are ordinary words here ("Following", "Pressure").

        A word counts as ordinary when it also occurs in lower case and never occurs
        capitalised in the middle of a sentence.
        """
        lower: set[str] = set()
        mid_caps: set[str] = set()
        initial: set[str] = set()
        prev: Token | None = None
        for t in self.tokens:
            if t.is_word:
                if t.text[0].islower():
                    lower.add(t.text)
                elif t.is_cap:
                    mid = prev is not None and (prev.is_word or prev.text in ",;")
                    if mid and "\n" not in self.text[prev.end : t.start] if prev else False:
                        mid_caps.add(t.text)
                    else:
                        initial.add(t.text)
            prev = t
        self.initial_caps = frozenset(initial - mid_caps)
        return frozenset(w for w in initial if w.lower() in lower and w not in mid_caps)

    # --- sentences ---------------------------------------------------------------------

    def _sentences(self) -> list[tuple[int, int]]:
        text = self.text
        cuts: list[int] = []
        for m in _BOUNDARY_RE.finditer(text):
            if m.group()[0] == "\n":
                cuts.append(m.start())
                continue
            if m.group() == "." and self.name_stop(m.start()):
                continue
            if self.quote_at(m.end() - 1, strict=True) is not None:
                continue  # a full stop inside a quotation does not end the sentence
            cuts.append(m.end())
        out: list[tuple[int, int]] = []
        for p_start, p_end in self.paragraphs:
            lo = bisect.bisect_right(cuts, p_start)
            start = p_start
            q = self.quote_at(p_start - 1, strict=True) if p_start else None
            if out and q is not None and q.start < p_start:
                start = out.pop()[0]  # paragraph continuing a multi-paragraph quotation
            for cut in cuts[lo:]:
                if cut >= p_end:
                    break
                if self.quote_at(cut, strict=True) is not None:
                    continue
                out.append((start, cut))
                start = cut
                while start < p_end and text[start].isspace():
                    start += 1
            if start < p_end:
                out.append((start, p_end))
        return out

    def name_stop(self, dot: int) -> bool:
        """Whether the full stop at ``dot`` ends an abbreviation ("Mr.", "U.S.") or an
        initial inside a name ("Donald J. Trump", "J. K. Rowling") rather than the sentence.

        A capital letter and a full stop is an initial only when a name goes on after it:
        another initial, or a capitalised word that is not one a sentence opens with and a
        name never ends with (a function word, a determiner or pronoun, a source noun like
        "Critics" or "Officials"). "... saying X. Critics said" is two sentences. A word the
        text also writes in lower case is not enough: surnames are words too (Grant, Rice).
        """
        m = re.search(r"([\w.]+)$", self.text[max(0, dot - 12) : dot])
        if not m:
            return False
        word = m.group(1)
        if word.lower() in ABBREVIATIONS:
            return True
        return len(word) == 1 and word.isupper() and self._name_goes_on(dot + 1)

    def _name_goes_on(self, pos: int) -> bool:
        k = self.token_index(pos)
        if k >= len(self.tokens) or self.text[pos : self.tokens[k].start].strip():
            return False
        nxt = self.tokens[k]
        if not nxt.is_word:
            return False  # a quotation mark, a bracket: the sentence ended
        if not nxt.is_cap:
            return nxt.text[0].isalpha()  # "vitamin C. and zinc": the sentence goes on
        if len(nxt.text) == 1:
            return True  # another initial
        return re.sub(r"['’]s$", "", nxt.lower) not in _SENTENCE_OPENERS

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self._s_starts, pos) - 1)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        if not self.sentences:
            return (0, len(self.text))
        return self.sentences[self.sentence_index(pos)]

    def in_layout(self, pos: int) -> bool:
        """Whether ``pos`` lies in page layout (see :func:`layout_lines`)."""
        if not self.paragraphs:
            return False
        text_start = self.layout.get(self.paragraph_index(pos))
        return text_start is not None and pos < text_start

    def paragraph_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self._p_starts, pos) - 1)

    # --- quotations --------------------------------------------------------------------

    def quote_at(self, pos: int, strict: bool = False) -> QuoteSpan | None:
        """The quotation holding ``pos``; ``strict`` excludes its first and last mark."""
        k = bisect.bisect_right(self._q_starts, pos) - 1
        if k < 0:
            return None
        q = self.quotes[k]
        if strict:
            return q if q.start < pos < q.end - 1 else None
        return q if q.start <= pos < q.end else None

    def next_quote_start(self, pos: int) -> int:
        """Start of the first quotation starting at or after ``pos`` (else text length)."""
        k = bisect.bisect_left(self._q_starts, pos)
        return self._q_starts[k] if k < len(self._q_starts) else len(self.text)

    def in_quote(self, pos: int) -> bool:
        return self.quote_at(pos) is not None

    # --- tokens ------------------------------------------------------------------------

    def tokens_in(self, start: int, end: int) -> list[Token]:
        lo = bisect.bisect_left(self._t_starts, start)
        hi = bisect.bisect_left(self._t_starts, end)
        return [t for t in self.tokens[lo:hi] if t.end <= end]

    def verbs_between(
        self, lo: int, hi: int, *, naming: bool = False
    ) -> list[tuple[int, int, str]]:
        """Reporting-verb (or naming-verb) forms starting in ``[lo, hi)``."""
        verbs, starts = (self.naming, self._n_starts) if naming else (self.verbs, self._v_starts)
        a = bisect.bisect_left(starts, lo)
        b = bisect.bisect_left(starts, hi)
        return [v for v in verbs[a:b] if v[1] <= hi]

    def token_index(self, pos: int) -> int:
        return bisect.bisect_left(self._t_starts, pos)
