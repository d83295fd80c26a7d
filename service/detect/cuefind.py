"""Reporting-verb cues and the speaker noun phrases attached to them.

Shared by the direct-quote rules (:mod:`claimstance.detect.detector`) and the indirect-speech rules
(:mod:`claimstance.detect.indirect`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from claimstance.detect.cues import (
    AFTER_VERB_FILLERS,
    AUXILIARIES,
    COGNITION_FORMS,
    DETERMINERS,
    NOUN_LIKE_FORMS,
    SPEECH_FORMS,
    SUBJECT_PRONOUNS,
    words,
)
from claimstance.detect.doc import Doc, Token
from claimstance.detect.mentions import Mention, NameIndex
from claimstance.detect.phrases import noun_phrase, with_apposition
from claimstance.text.glyphs import DOUBLE_MARKS, char_class

_PASSIVE = frozenset(words("was were is are be been being"))
_INTRO = frozenset(
    words(
        """in on at during after before earlier later however meanwhile but and still instead
    speaking asked while although though when since as if in addition separately also
    yet so then now last this on wednesday friday according despite with for from under
    over following amid"""
    )
)
_LEAD_SKIP = frozenset(
    words(
        "and but while whereas although though because as so yet when once if after before "
        "since that where whether until then now also"
    )
)
_CLAUSE_WORDS = frozenset(
    words("that which who whom whose where when while because if since were was is are")
)
_CONJ = frozenset(words("and but while whereas although though because as so yet"))
_ADVERBS = frozenset(words("also again once still now then already repeatedly not even just"))
_FILLER_PHRASE = re.compile(
    r"\s*(?:(?:on|in|at|during|after|before|via|through|to)\s+(?:a|an|the|his|her|their|"
    r"its|this|that|last|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"Twitter|X|Facebook|Instagram|Truth|CNN|Fox|reporters|journalists)\b"
    r"(?:\s+[\w’'.\-]+){0,4}?\s*(?=,|\s+that\b|$)|,)",
)


ClaimKind = Literal["direct", "indirect", "mixed"]


@dataclass
class Draft:
    """A claim under construction: extent, parts, cue and the speaker phrase."""

    start: int
    end: int
    parts: list[tuple[int, int]]
    kind: ClaimKind
    cue: tuple[int, int] | None = None
    speaker: Mention | None = None
    fragment: bool = False
    continues: bool = False
    #: Which mechanism found it (for measurement: what each rule adds).
    rule: str = ""


@dataclass(frozen=True)
class Verb:
    start: int
    end: int
    form: str  # lower-cased

    @property
    def is_speech(self) -> bool:
        return self.form in SPEECH_FORMS

    @property
    def is_cognition(self) -> bool:
        return self.form in COGNITION_FORMS

    @property
    def is_ing(self) -> bool:
        return self.form.endswith("ing")

    @property
    def noun_like(self) -> bool:
        return self.form in NOUN_LIKE_FORMS


def verbs_in(doc: Doc, lo: int, hi: int, *, naming: bool = False) -> Iterator[Verb]:
    """Reporting-verb (or ``naming``-verb) forms in ``text[lo:hi]`` outside quotations."""
    for start, end, form in doc.verbs_between(lo, hi, naming=naming):
        if not doc.in_quote(start):
            yield Verb(start, end, form)


def prev_word(doc: Doc, pos: int) -> str:
    k = doc.token_index(pos) - 1
    return doc.tokens[k].lower if k >= 0 else ""


def plausible_verb(doc: Doc, v: Verb) -> bool:
    """Rules out "the said", "a report", "was told", "reports of"."""
    if not doc.text[v.start].islower():
        return False  # "the United States", headline case
    before = prev_word(doc, v.start)
    if before == "to":
        return False  # "strive to maintain", "want to say"
    if before in _PASSIVE and not v.is_ing:
        return False
    if before in DETERMINERS and before not in ("that", "this"):
        return False
    if v.noun_like and not re.match(r"\s+that\b", doc.text[v.end : v.end + 6]):
        k = doc.token_index(v.start) - 1
        if k < 0:
            return False
        prev = doc.tokens[k]
        if prev.lower.endswith(("’s", "'s")):
            return False  # "Graham’s comments came …"
        return (
            before in SUBJECT_PRONOUNS
            or before in AUXILIARIES
            or (prev.is_cap and prev.is_word)
            or before.endswith("s")
        )
    return True


def clause_start(doc: Doc, lo: int, v_start: int) -> int:
    """Start of the clause whose subject precedes the verb at ``v_start``."""
    toks = [t for t in doc.tokens_in(lo, v_start) if not doc.in_quote(t.start)]
    start = lo
    for k, t in enumerate(toks):
        nxt = toks[k + 1].lower if k + 1 < len(toks) else ""
        if t.text == ";" or (t.text == "," and nxt in _CONJ) or t.text in ("—", "–", "―"):
            start = t.end
    # Strip introductory phrases ending with a comma ("In a statement, ...").
    while True:
        toks = [t for t in doc.tokens_in(start, v_start) if not doc.in_quote(t.start)]
        if not toks:
            return start
        if toks[0].lower in _CONJ and len(toks) > 1:
            start = toks[1].start
            continue
        commas = [k for k, t in enumerate(toks) if t.text == ","]
        if commas and toks[0].lower in _INTRO and commas[0] < 8:
            start = toks[commas[0]].end
            continue
        return start


_MAIN_VERBS = frozenset(words("has have had is was are were met made took gave went came"))
_BE = frozenset(words("is are was were be been am"))
_CONTRACTED = re.compile(r"(he|she|it|they|we|i|you)[’'](?:s|re|m)", re.IGNORECASE)


def clause_subject(doc: Doc, index: NameIndex, start: int, end: int) -> Mention | None:
    """The subject at the start of a clause ("Xi signaled …, saying"): the words before
    its main verb (a lower-case word in -ed, a common finite verb or an adverb)."""
    cut = end
    for t in doc.tokens_in(start, end)[1:]:
        low = t.lower
        if t.text[0].islower() and (low.endswith("ed") or low in _MAIN_VERBS or low in AUXILIARIES):
            cut = t.start
            break
    return noun_phrase(doc, index, start, cut)


def progressive_subject(doc: Doc, index: NameIndex, lo: int, v: Verb) -> Mention | None:
    """The subject of an -ing verb after a form of "be": "Trump is telling", "He’s claiming"."""
    k = doc.token_index(v.start) - 1
    while (
        k >= 0
        and doc.tokens[k].start >= lo
        and (doc.tokens[k].lower.endswith("ly") or doc.tokens[k].lower in _ADVERBS)
    ):
        k -= 1
    if k < 0 or doc.tokens[k].start < lo:
        return None
    t = doc.tokens[k]
    m = _CONTRACTED.fullmatch(t.text)
    if m:
        word = m.group(1)
        gender = {"he": "m", "she": "f"}.get(word.lower())
        return Mention(t.start, t.start + len(word), word, "pronoun", gender=gender)
    if t.lower not in _BE:
        return None
    return subject_before(doc, index, lo, t.start)


def ing_subject(doc: Doc, index: NameIndex, lo: int, v: Verb) -> Mention | None:
    """The speaker of an -ing cue: "X is saying", or "X did Y, saying" (the clause subject)."""
    progressive = progressive_subject(doc, index, lo, v)
    if progressive is not None:
        return progressive
    s_lo, _ = doc.sentence_at(v.start)
    if not doc.text[max(lo, s_lo) : v.start].rstrip().endswith(","):
        toks = doc.tokens_in(max(lo, s_lo), v.start)
        if len(toks) > 1 and toks[-1].is_cap and toks[-1].is_word:
            return _name_run(doc, index, toks)  # "footage of Trump saying, “…”"
        return None
    return clause_subject(doc, index, clause_start(doc, s_lo, v.start), v.start)


def _name_run(doc: Doc, index: NameIndex, toks: list[Token]) -> Mention | None:
    """The person named by the capitalised words ending ``toks`` ("the Post Trump": Trump)."""
    k = len(toks) - 1
    while k > 0 and toks[k - 1].is_cap and toks[k - 1].is_word:
        k -= 1
    for j in range(k, len(toks)):
        m = noun_phrase(doc, index, toks[j].start, toks[-1].end)
        if m is not None and index.expand(m).kind == "person":
            return m
    return noun_phrase(doc, index, toks[-1].start, toks[-1].end)


def coordinated_subject(doc: Doc, index: NameIndex, lo: int, v: Verb) -> Mention | None:
    """The subject shared by a coordinated verb: "X praised Y(, …), and said …"."""
    k = doc.token_index(v.start) - 1
    if k < 1 or doc.tokens[k].lower not in ("and", "but", "or"):
        return None
    conj = doc.tokens[k].start
    s_lo, _ = doc.sentence_at(v.start)
    return clause_subject(doc, index, clause_start(doc, max(lo, s_lo), conj), conj)


def _closes_quote(doc: Doc, t: Token) -> bool:
    q = doc.quote_at(t.start)
    return q is not None and q.inner_end == t.end


def subject_before(doc: Doc, index: NameIndex, lo: int, v_start: int) -> Mention | None:
    """The subject noun phrase ending just before the verb (auxiliaries allowed).

    Read backwards by commas: ``Intro, NP VERB`` takes the last segment; ``NP, APPOS,
    VERB`` takes the segment before the apposition and reads the role from it.
    """
    # a comma closing a quoted title counts: In an interview on “Face the Nation,” X said
    toks = [
        t
        for t in doc.tokens_in(lo, v_start)
        if not doc.in_quote(t.start) or (t.text == "," and _closes_quote(doc, t))
    ]
    while toks and (toks[-1].lower in AUXILIARIES or toks[-1].lower.endswith("ly")):
        toks = toks[:-1]
    if not toks:
        return None
    if toks[-1].lower in SUBJECT_PRONOUNS and len(toks) > 1 and toks[-2].is_word:
        return noun_phrase(doc, index, toks[-1].start, toks[-1].end)  # "… on RT he said"
    bounds = [k for k, t in enumerate(toks) if t.text in (",", ";", ":", "—", "–", "―")]
    appos: tuple[int, int] | None = None
    if bounds and bounds[-1] == len(toks) - 1:
        if toks[-1].text != "," or len(bounds) < 2:
            return None
        # NP, APPOS[, APPOS…], VERB: the head is the first segment that is not an intro.
        segs = [(-1 if i == 0 else bounds[i - 1], b) for i, b in enumerate(bounds)]
        k = 0
        while k < len(segs) - 2 and _is_intro(toks[segs[k][0] + 1 : segs[k][1]]):
            k += 1
        a = segs[k][1]
        appos = (toks[a].end, toks[segs[k + 1][1]].start)
        head = toks[segs[k][0] + 1 : a]
    else:
        head = toks[bounds[-1] + 1 :] if bounds else toks
    while head and (head[0].lower in _LEAD_SKIP or head[0].text.endswith("ly")):
        head = head[1:]  # "…, shortly after Trump said"
    if head and head[0].lower in _INTRO and head[-1].is_cap:
        # "In a meeting with the Post Trump said": the name right before the verb
        return _name_run(doc, index, head)
    if not head or len(head) > 25:
        return None
    m = None
    cuts = [k for k, t in enumerate(head) if t.lower in _CLAUSE_WORDS and k + 1 < len(head)]
    if cuts:  # "an explosion that Mayor Bill de Blasio described"
        m = noun_phrase(doc, index, head[cuts[-1] + 1].start, head[-1].end)
    if m is None:
        m = noun_phrase(doc, index, head[0].start, head[-1].end)
    if m is not None and appos is not None:
        m = with_apposition(doc, m, *appos)
    return m


def _is_intro(toks: list[Token]) -> bool:
    """An introductory phrase: "In a panel discussion", "Speaking at a rally"."""
    if not toks:
        return True
    first = toks[0].lower
    return first in _INTRO or (first.endswith(("ing", "ed")) and toks[0].text[0].isupper())


#: A noun phrase after a verb runs to the next clause punctuation, quotation mark or bracket.
_PHRASE_RUN = re.compile(r"[^.;:!?" + char_class(DOUBLE_MARKS) + r"()\n]*")


def object_after(doc: Doc, index: NameIndex, v_end: int, hi: int) -> Mention | None:
    """The noun phrase right after a verb ("said Yellen", "according to the ministry")."""
    m = _PHRASE_RUN.match(doc.text[v_end:hi])
    stop = v_end + (m.end() if m else 0)
    # A full stop after an abbreviation or initial does not end the phrase.
    while stop < hi and doc.text[stop] == "." and _abbrev_before(doc, stop):
        m = _PHRASE_RUN.match(doc.text[stop + 1 : hi])
        stop = stop + 1 + (m.end() if m else 0)
    return noun_phrase(doc, index, v_end, stop)


def _abbrev_before(doc: Doc, dot: int) -> bool:
    m = re.search(r"(\w+)$", doc.text[max(0, dot - 8) : dot])
    return m is not None and len(m.group(1)) <= 3 and m.group(1)[0].isupper()


def skip_fillers(doc: Doc, pos: int, hi: int) -> int:
    """Skip time and manner words after a verb ("said on Tuesday in a statement")."""
    while pos < hi:
        m = _FILLER_PHRASE.match(doc.text, pos, hi)
        if m and m.end() > pos:
            pos = m.end()
            continue
        k = doc.token_index(pos)
        if k < len(doc.tokens) and doc.tokens[k].start < hi:
            t = doc.tokens[k]
            if t.lower in AFTER_VERB_FILLERS and t.lower not in ("on", "in", "at", "this"):
                pos = t.end
                continue
        break
    while pos < hi and doc.text[pos].isspace():
        pos += 1
    return pos


_SUBORD = frozenset(words("after before because while during when since until despite amid unless"))
_NEW_CLAUSE = _SUBORD | frozenset(words("if as though although whereas"))
_ING_NOT_CLAUSE = frozenset(
    words(
        "including according excluding regarding concerning following beginning starting "
        "ranging notwithstanding"
    )
)


def clause_end(doc: Doc, lo: int, hi: int) -> int:
    """End of a reported clause in ``text[lo:hi]``.

    Cuts before a coordinated reporting verb ("… and (repeatedly) said …"), a participle
    clause ("…, citing …") or a spaced dash; right after a quotation, also before a
    subordinate clause ("a “disgrace” after she …"), a coordinated past-tense verb ("“a
    con” and encouraged …") or a new clause ("“jobs,” but he …"). Quotations are not cut.
    """
    toks = [t for t in doc.tokens_in(lo, hi) if not doc.in_quote(t.start)]
    text = doc.text
    for k, t in enumerate(toks):
        j = k + 1
        while j < len(toks) - 1 and toks[j].lower.endswith("ly"):
            j += 1
        nxt = toks[j].lower if j < len(toks) else ""
        if k > 0:
            prev = toks[k - 1]
            participle = t.text[0].islower() and t.lower.endswith("ing") and len(t.text) > 5
            if prev.text == "," and participle and t.lower not in _ING_NOT_CLAUSE:
                return prev.start
            if t.lower in ("and", "but") and (nxt in SPEECH_FORMS and nxt != "call"):
                return prev.start if prev.text == "," else t.start
            if prev.text == "," and t.lower in ("and", "but") and nxt in _NEW_CLAUSE:
                return prev.start  # "…, and when pressed, she replied"
            if t.text in ("—", "–", "―") and text[t.start - 1 : t.start] == " ":
                return t.start
        q = doc.quote_at(t.start - 2)
        if q is None or q.end > t.start or text[q.end : t.start].strip(" ,") or q.start < lo:
            continue
        if (
            t.lower in _SUBORD
            or (t.lower == "and" and nxt.endswith("ed") and toks[j].text[0].islower())
            or (t.lower == "but" and nxt in SUBJECT_PRONOUNS)
        ):
            return q.end
    return hi


def widest_first(drafts: list[Draft]) -> list[Draft]:
    """Drafts without overlaps, the widest winning (an outer claim over an inner one)."""
    kept: list[tuple[int, int]] = []  # sorted, disjoint
    chosen: list[Draft] = []
    for d in sorted(drafts, key=lambda d: (d.start - d.end, d.start)):
        k = bisect.bisect_left(kept, (d.start, d.end))
        before = kept[k - 1] if k > 0 else None
        after = kept[k] if k < len(kept) else None
        if (before and before[1] > d.start) or (after and after[0] < d.end):
            continue
        kept.insert(k, (d.start, d.end))
        chosen.append(d)
    return sorted(chosen, key=lambda d: d.start)
