"""Deterministic claim detection: quotations, attribution cues, indirect speech, speakers.

``detect_claims(text)`` returns claims in text order without overlapping extents. Every
offset is a character offset into ``text`` exactly as given.

* ``quote`` is the claim's whole extent. For a direct quotation it includes the quotation
  marks; for a quotation interrupted by its cue (``“A,” he said. “B.”``) it runs from the
  first part's start to the last part's end and ``parts`` lists the pieces. For indirect
  speech it is the reported clause (with a leading "that", without the final full stop).
* ``kind``: "direct" (only quoted words), "mixed" (a clause that contains quoted words, or
  a quotation with no attribution), "indirect" (no quotation marks).
* ``cue``: the reporting verb ("said"), a naming verb before a quoted term ("likened them
  to a “snake”"), "according to", a colon or a dash; None when the claim has no cue of its
  own (a quotation continuing the previous speaker's, or one the context attributes).
* ``is_fragment``: a title (“Fox News Sunday”) or a short unattributed quoted term (fewer
  than ``LONG_QUOTE`` words inside the marks, or three words or fewer overall): scare
  quotes such as “clear-eyed”; the pipeline drops them. A quoted term inside an attributed
  clause is not a fragment: it makes the clause a mixed claim.
* ``candidates``: ranked speakers, best first (see :mod:`claimstance.detect.candidates`).

The first line of the text is also read as a headline (:mod:`claimstance.detect.headline`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claimstance.detect.attribution import leading, trailing
from claimstance.detect.candidates import Candidate, Piece, rank_candidates
from claimstance.detect.combine import combine, unattribute_misread
from claimstance.detect.cuefind import (
    ClaimKind,
    Draft,
    clause_end,
    clause_start,
    skip_fillers,
    verbs_in,
)
from claimstance.detect.cues import AFTER_VERB_FILLERS, LONG_QUOTE
from claimstance.detect.doc import Doc
from claimstance.detect.headline import headline_draft
from claimstance.detect.indirect import indirect_drafts
from claimstance.detect.mentions import NameIndex
from claimstance.detect.parsed import Reading, read_parse
from claimstance.detect.quotes import QuoteSpan
from claimstance.text.glyphs import BAR, CLAUSE_DASHES

__all__ = ["Candidate", "DetectedClaim", "Piece", "detect_claims"]

_WORD = re.compile(r"\w+")


#: Characters before a quotation searched for its attribution (within its sentence).
MAX_LEAD = 600


@dataclass(frozen=True)
class DetectedClaim:
    quote: Piece
    parts: tuple[Piece, ...]
    kind: ClaimKind
    cue: Piece | None
    is_fragment: bool
    candidates: tuple[Candidate, ...] = field(default=())


def detect_claims(text: str, *, parse: bool = True) -> list[DetectedClaim]:
    """All claims in ``text``, in text order, with ranked candidate speakers.

    ``parse=False`` leaves out the dependency-parse drafts (:mod:`.parsed`), as happens
    anyway when no parser is installed (see :func:`.parser.load_parser`).
    """
    if not text.strip():
        return []
    doc = Doc(text)
    index = NameIndex(doc)
    drafts = _quote_drafts(doc, index)
    reading = read_parse(doc, index) if parse else None
    if reading is not None:
        unattribute_misread(doc, drafts, reading)
    rules = indirect_drafts(doc, index, drafts)
    drafts = _merge_indirect(drafts, combine(doc, rules, reading or Reading()))
    drafts = [d for d in drafts if not doc.in_layout(d.start)]
    head = headline_draft(doc, index)
    if head is not None:
        line_end = doc.paragraphs[doc.paragraph_index(head.start)][1]
        drafts = [head, *(d for d in drafts if d.start >= line_end)]
    out: list[DetectedClaim] = []
    previous: Candidate | None = None
    prev_para = -10
    for d in drafts:
        para = doc.paragraph_index(d.start)
        cont = previous if (d.continues and para - prev_para <= 2) else None
        cands = rank_candidates(doc, index, d.start, d.end, d.speaker, cont)
        out.append(
            DetectedClaim(
                quote=Piece(d.start, d.end),
                parts=tuple(Piece(a, b) for a, b in d.parts),
                kind=d.kind,
                cue=Piece(*d.cue) if d.cue else None,
                is_fragment=d.fragment,
                candidates=cands,
            )
        )
        if not d.fragment and cands and (d.speaker is not None or cont is not None):
            previous, prev_para = cands[0], para
    return out


# --- quotation-based claims ------------------------------------------------------------


def _quote_drafts(doc: Doc, index: NameIndex) -> list[Draft]:
    drafts: list[Draft] = []
    quotes = doc.quotes
    k = claim_end = 0
    while k < len(quotes):
        q = quotes[k]
        s_lo, s_hi = doc.sentence_at(q.start)
        if drafts and drafts[-1].end > q.start:
            k += 1
            continue
        # the lead runs from the last claim (a title or scare quote does not cut it)
        lead_lo = max(s_lo, claim_end, q.start - MAX_LEAD)
        if _is_title(doc, q):
            drafts.append(Draft(q.start, q.end, [(q.start, q.end)], "mixed", fragment=True))
            k += 1
            continue
        trail = trailing(doc, index, q, s_hi)
        lead = None if trail else leading(doc, index, q, lead_lo)
        if trail is not None:
            start = _content_start(doc, lead_lo, q.start)
            d = Draft(start, q.end, [(start, q.end)], "direct" if start == q.start else "mixed")
            d.cue, d.speaker = trail.cue, trail.speaker
            if trail.content_end is not None:
                d.end, d.parts, d.kind = trail.content_end, [(start, trail.content_end)], "mixed"
            k = _absorb_split(doc, index, quotes, k, d, trail.end)
        elif lead is not None and lead.end < q.start and _is_mixed_lead(doc, lead.end, q.start):
            start = skip_fillers(doc, lead.end, q.start)
            end = _sentence_content_end(doc, q.end, clause_end(doc, start, s_hi))
            d = Draft(start, end, [(start, end)], "mixed")
            d.cue, d.speaker = lead.cue, lead.speaker
            while k + 1 < len(quotes) and quotes[k + 1].start < end:
                k += 1
                d.end = max(d.end, quotes[k].end)
            d.parts = [(d.start, d.end)]
        elif lead is not None:
            d = Draft(q.start, q.end, [(q.start, q.end)], "direct")
            d.cue, d.speaker = lead.cue, lead.speaker
            k = _absorb_split(doc, index, quotes, k, d, q.end, need_sentence=True)
        else:
            d = Draft(q.start, q.end, [(q.start, q.end)], "direct")
            whole = doc.text[lead_lo : q.start].strip() == "" and _ends_sentence(doc, q, s_hi)
            d.continues = whole
            if not whole:
                d.kind = "mixed"
                d.fragment = len(_WORD.findall(doc.text[q.inner_start : q.inner_end])) < LONG_QUOTE
        if d.cue is None and len(_WORD.findall(doc.text[d.start : d.end])) <= 3:
            d.fragment = True
        drafts.append(d)
        claim_end = claim_end if d.fragment else d.end
        k += 1
    return drafts


def _is_title(doc: Doc, q: QuoteSpan) -> bool:
    """A quoted name of a work or show: “Fox News Sunday,” “The Wall Street Journal”."""
    inner = doc.text[q.inner_start : q.inner_end].strip(" ,")
    words = _WORD.findall(inner)
    if not words or len(words) > 8 or inner[-1:] in ".?!":
        return False
    return words[0][0].isupper() and all(w[0].isupper() for w in words if len(w) > 3)


def _ends_sentence(doc: Doc, q: QuoteSpan, s_hi: int) -> bool:
    rest = doc.text[q.end : s_hi].strip()
    return rest in ("", ".", "?", "!")


#: A lead that ends in clause punctuation, or is only a dash: the claim is the quotation.
_LEAD_IS_PUNCT = re.compile(
    r"[:;," + CLAUSE_DASHES + r"]\s*$|^\s*[" + BAR + CLAUSE_DASHES + r"-]+\s*$"
)


def _content_start(doc: Doc, lead_lo: int, q_start: int) -> int:
    """Where a trailing-cue claim starts: the quote, or the clause holding it."""
    lead = doc.text[lead_lo:q_start]
    if not lead.strip() or re.search(
        r"[:;," + CLAUSE_DASHES + r"]\s*$|^\s*[" + BAR + CLAUSE_DASHES + r"-]+\s*$", lead
    ):
        return q_start
    start = clause_start(doc, lead_lo, q_start)
    while start < q_start and doc.text[start].isspace():
        start += 1
    return start


def _is_mixed_lead(doc: Doc, attr_end: int, q_start: int) -> bool:
    """Words between the attribution and the quotation make it a mixed claim."""
    gap = doc.text[attr_end:q_start]
    if re.fullmatch(r"[\s,:]*(?:[" + BAR + CLAUSE_DASHES + r"-]\s*)?", gap):
        return False
    if skip_fillers(doc, attr_end, q_start) == q_start:
        return False  # "saying during the debate last week, “…”"
    words = [w.lower() for w in _WORD.findall(gap)]
    return not all(w in AFTER_VERB_FILLERS or w in ("a", "an", "the", "statement") for w in words)


def _sentence_content_end(doc: Doc, q_end: int, s_hi: int) -> int:
    end = s_hi
    while end > q_end and (doc.text[end - 1].isspace() or doc.text[end - 1] in ".;:"):
        end -= 1
    return max(end, q_end)


def _absorb_split(
    doc: Doc,
    index: NameIndex,
    quotes: list[QuoteSpan],
    k: int,
    d: Draft,
    attr_end: int,
    need_sentence: bool = False,
) -> int:
    """Join the quotations that continue ``quotes[k]`` after its cue: “A,” he said. “B.”"""
    para = doc.paragraph_index(quotes[k].start)
    last_end = attr_end
    while k + 1 < len(quotes):
        q2 = quotes[k + 1]
        if doc.paragraph_index(q2.start) != para:
            break
        gap = doc.text[last_end : q2.start]
        s_lo, s_hi = doc.sentence_at(q2.start)
        same_sentence = s_lo < q2.start and not need_sentence
        if same_sentence:
            if not re.fullmatch(r"[^.!?;]{0,120}?,\s*", gap) or any(
                v.is_speech for v in verbs_in(doc, last_end, q2.start)
            ):
                break
        else:
            if s_lo != q2.start or doc.sentence_index(last_end) + 1 < doc.sentence_index(s_lo):
                break
            if not _ends_sentence(doc, q2, s_hi) and (
                len(_WORD.findall(doc.text[q2.start : q2.end])) < LONG_QUOTE
                or any(v.is_speech for v in verbs_in(doc, q2.end, s_hi))
            ):
                break  # “A,” he said. “B” to C, she said: B is not A's continuation
        if trailing(doc, index, q2, s_hi) is not None:
            break
        d.parts.append((q2.start, q2.end))
        d.end = q2.end
        last_end = q2.end
        k += 1
    return k


# --- indirect claims -------------------------------------------------------------------


def _merge_indirect(drafts: list[Draft], indirect: list[Draft]) -> list[Draft]:
    """Add indirect claims; an unattributed quotation inside one makes it mixed."""
    kept = [d for d in drafts if d.cue is not None]
    frags = [d for d in drafts if d.cue is None]
    out = list(kept)
    for ind in indirect:
        if any(ind.start < d.end and d.start < ind.end for d in kept):
            continue
        inside = [f for f in frags if ind.start <= f.start and f.end <= ind.end]
        if inside:
            ind.kind = "mixed"
            frags = [f for f in frags if f not in inside]
        if any(ind.start < f.end and f.start < ind.end for f in frags):
            continue
        out.append(ind)
    out.extend(frags)
    out.sort(key=lambda d: d.start)
    return out
