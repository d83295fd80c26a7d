"""Indirect speech: a reporting verb with its complement clause, no quotation needed.

Patterns (content = the reported clause, a leading "that" included, final stop excluded):

* ``Blinken warned that …`` / ``X said the US would …`` / ``X told reporters that …``
* ``…, officials said.`` / ``…, said a spokesman.`` (cue after the clause)
* ``According to X, …`` / ``…, according to X.``
* ``…, saying …`` / ``…, adding that …`` (the subject is the main clause's)

Cognition verbs (believe, hope, find, show…) count only with an explicit "that".
"""

from __future__ import annotations

import bisect
import re

from claimstance.detect.cuefind import (
    ClaimKind,
    Draft,
    Verb,
    clause_end,
    clause_start,
    coordinated_subject,
    ing_subject,
    object_after,
    plausible_verb,
    skip_fillers,
    subject_before,
    verbs_in,
)
from claimstance.detect.cues import ACCORDING_RE, OBJECT_VERBS, QUOTE_ONLY_FORMS, words
from claimstance.detect.doc import Doc
from claimstance.detect.mentions import Mention, NameIndex
from claimstance.detect.phrases import noun_phrase
from claimstance.text.glyphs import CLAUSE_DASHES, OPENING_MARKS

_WORD = re.compile(r"\w+")
_NOT_CLAUSE_START = frozenset(
    words(
        "to about of with for in on at by from into over up out down off so yes no goodbye "
        "hello thanks as"
    )
)
_INFINITIVE_VERBS = frozenset(
    words(
        "vow vows vowed vowing pledge pledges pledged pledging promise promises promised "
        "promising threaten threatens threatened threatening urge urges urged urging ask asks "
        "asked asking call calls called calling demand demands demanded demanding"
    )
)
_TRAILING_CONJ = re.compile(
    r"(?:[\s,;]+(?:and|but|while|whereas|as|so))*[\s,;:" + CLAUSE_DASHES + r"-]*$"
)


def content_end(doc: Doc, lo: int, hi: int) -> int:
    """End of a reported clause: the sentence end without its final punctuation."""
    end = hi
    while end > lo and (doc.text[end - 1].isspace() or doc.text[end - 1] in ".;:,!"):
        end -= 1
    return end


def _words(doc: Doc, lo: int, hi: int) -> int:
    return len(_WORD.findall(doc.text[lo:hi]))


def indirect_drafts(doc: Doc, index: NameIndex, quoted: list[Draft]) -> list[Draft]:
    """Indirect claims whose cue is not already used by a quotation claim."""
    blocked = [(d.start, d.end) for d in quoted if d.cue is not None]
    blocked += [d.cue for d in quoted if d.cue is not None]
    blocked.sort()
    b_starts = [a for a, _ in blocked]
    reach: list[int] = []  # furthest end among blocked[: i + 1]
    for _, b in blocked:
        reach.append(max(b, reach[-1]) if reach else b)

    def free(pos: int) -> bool:
        i = bisect.bisect_right(b_starts, pos) - 1
        return i < 0 or reach[i] <= pos

    out: list[Draft] = []
    for m in ACCORDING_RE.finditer(doc.text):
        if free(m.start()) and not doc.in_quote(m.start()):
            d = _according(doc, index, m.start(), m.end())
            if d is not None:
                out.append(d)
    for v in verbs_in(doc, 0, len(doc.text)):
        if not free(v.start) or v.form in QUOTE_ONLY_FORMS or not plausible_verb(doc, v):
            continue
        if any(d.cue and d.cue[0] <= v.start < d.cue[1] for d in out):
            continue
        d = _backward(doc, index, v) or _forward(doc, index, v)
        if d is not None and _words(doc, d.start, d.end) >= 3:
            _add(doc, out, d)
    out.sort(key=lambda d: d.start)
    return out


def _add(doc: Doc, out: list[Draft], d: Draft) -> None:
    """Add ``d``; split or drop overlapping claims from the same sentence."""
    assert d.cue is not None
    for p in list(out):
        if not (p.start < d.end and d.start < p.end):
            continue
        if p.start <= d.cue[0] < p.end and d.start >= d.cue[0]:
            # d's cue sits inside p's clause: "X said A, while Y noted B".
            cut = d.speaker.start if d.speaker else d.cue[0]
            tail = _TRAILING_CONJ.search(doc.text, p.start, cut)
            new_end = content_end(doc, p.start, tail.start() if tail else cut)
            if tail and tail.group().strip(" ") and _words(doc, p.start, new_end) >= 3:
                p.end = new_end
                p.parts = [(p.start, p.end)]
                continue
            return
        if d.start <= p.start and p.end <= d.end:
            out.remove(p)  # nested in the clause reported by d
            continue
        return
    out.append(d)


def _according(doc: Doc, index: NameIndex, a: int, b: int) -> Draft | None:
    s_lo, s_hi = doc.sentence_at(a)
    text = doc.text
    lead = text[clause_start(doc, s_lo, a) : a]
    if not lead.strip():
        comma = text.find(",", b, s_hi)
        if comma < 0:
            return None
        sp = noun_phrase(doc, index, b, comma)
        start = skip_fillers(doc, comma + 1, s_hi)
        return _draft(doc, start, content_end(doc, start, clause_end(doc, start, s_hi)), (a, b), sp)
    if text[s_lo:a].rstrip().endswith(","):
        sp = object_after(doc, index, b, s_hi)
        end = content_end(doc, s_lo, text.rindex(",", s_lo, a))
        return _draft(doc, s_lo, end, (a, b), sp)
    return None


def _draft(doc: Doc, start: int, end: int, cue: tuple[int, int], sp: Mention | None) -> Draft:
    mixed = any(start <= q.start < end for q in doc.quotes)
    kind: ClaimKind = "mixed" if mixed else "indirect"
    d = Draft(start, end, [(start, end)], kind, rule="rules:indirect")
    d.cue, d.speaker = cue, sp
    return d


def _backward(doc: Doc, index: NameIndex, v: Verb) -> Draft | None:
    """``CLAUSE, officials said.`` or ``CLAUSE, said a spokesman.``"""
    if v.is_ing or v.is_cognition:
        return None
    s_lo, s_hi = doc.sentence_at(v.start)
    text = doc.text
    comma = text.rfind(",", s_lo, v.start)
    while comma >= 0 and doc.in_quote(comma):
        comma = text.rfind(",", s_lo, comma)
    if comma <= s_lo:
        return None
    between = text[comma + 1 : v.start]
    if between.strip():
        if _words(doc, comma + 1, v.start) > 10:
            return None
        rest = skip_fillers(doc, v.end, s_hi)
        if text[rest:s_hi].strip(' .!\n"”’'):
            return None
        sp = subject_before(doc, index, comma + 1, v.start)
    else:
        first = re.match(r"[^,.;:]*", text[v.end : s_hi])
        if first is None or len(_WORD.findall(first.group())) > 7 or _words(doc, v.end, s_hi) > 25:
            return None
        sp = object_after(doc, index, v.end, s_hi)
    if sp is None:
        return None
    start = s_lo
    end = content_end(doc, start, comma + 1)
    return _draft(doc, start, end, (v.start, v.end), sp)


def _forward(doc: Doc, index: NameIndex, v: Verb) -> Draft | None:
    """``X said (that) CLAUSE`` and ``…, saying CLAUSE``."""
    s_lo, s_hi = doc.sentence_at(v.start)
    text = doc.text
    if v.is_ing:
        sp = ing_subject(doc, index, s_lo, v)
    else:
        sp = subject_before(doc, index, s_lo, v.start)
        if sp is None:
            sp = coordinated_subject(doc, index, s_lo, v)
    if sp is None:
        return None
    pos = skip_fillers(doc, v.end, s_hi)
    that = re.compile(r"that\b")
    if v.form in OBJECT_VERBS and not that.match(text, pos):
        m = re.compile(r"[^,.;:]{0,60}?\s(?=that\b)").match(text, pos, s_hi)
        if m:
            pos = m.end()
        elif v.form.startswith("t"):
            obj = re.compile(r"(?:reporters|journalists|[A-Z][\w.’']*(?:\s+[A-Z][\w.’']*)*)\s+")
            om = obj.match(text, pos, s_hi)
            if om is None:
                return None
            pos = skip_fillers(doc, om.end(), s_hi)
    if not that.match(text, pos):
        if v.is_cognition:
            return None
        k = doc.token_index(pos)
        if k >= len(doc.tokens) or doc.tokens[k].start >= s_hi:
            return None
        first = doc.tokens[k]
        if not first.is_word and first.text not in OPENING_MARKS:
            return None
        if first.lower in _NOT_CLAUSE_START:
            allowed = first.lower == "to" and v.form in _INFINITIVE_VERBS
            if v.form.startswith("call") and first.lower in ("for", "on"):
                pos, allowed = first.end + 1, True
            if not allowed:
                return None
    end = content_end(doc, pos, clause_end(doc, pos, s_hi))
    if end <= pos:
        return None
    return _draft(doc, pos, end, (v.start, v.end), sp)
