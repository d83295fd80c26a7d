"""Deterministic claim detection: quotations, attribution cues, indirect speech, speakers.

``detect_claims(text)`` returns claims in text order without overlapping extents. Every
offset is a character offset into ``text`` exactly as given.

* ``quote`` is the claim's whole extent. For a direct quotation it includes the quotation
  marks; for a quotation interrupted by its cue (``“A,” he said. “B.”``) it runs from the
  first part's start to the last part's end and ``parts`` lists the pieces. For indirect
  speech it is the reported clause (with a leading "that", without the final full stop).
* ``kind``: "direct" (only quoted words), "mixed" (a clause that contains quoted words, or
  a quotation with no attribution), "indirect" (no quotation marks).
* ``cue``: the reporting verb ("said"), "according to", a colon or a dash; None when the
  claim has no cue of its own (e.g. a quotation continuing the previous speaker's).
* ``is_fragment``: a short quoted term (three words or fewer) or a quotation with no
  attribution at all: scare quotes such as “clear-eyed”; the pipeline may drop them.
* ``candidates``: ranked speakers, best first (see :mod:`service.candidates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.candidates import Candidate, Piece, rank_candidates
from service.cues import ACCORDING_RE, AFTER_VERB_FILLERS, AUXILIARIES
from service.detect_cuefind import (
    ClaimKind,
    Draft,
    Verb,
    clause_end,
    clause_start,
    object_after,
    plausible_verb,
    skip_fillers,
    subject_before,
    verbs_in,
)
from service.detect_indirect import indirect_drafts
from service.detect_mentions import Mention, NameIndex, clause_subject, noun_phrase
from service.detect_quotes import QuoteSpan
from service.detect_text import Doc

__all__ = ["Candidate", "DetectedClaim", "Piece", "detect_claims"]

_WORD = re.compile(r"\w+")
_AUX_RE = re.compile(r"\b(?:" + "|".join(sorted(AUXILIARIES)) + r")\b")
_LOWER_CUE = re.compile(
    r"\s+(?:he|she|they|we|i|it|the|a|an|one|another|his|her|their|its|our|said|says|added|"
    r"adds|according|told|tells|wrote|writes|asked|asks|explained|continued)\b"
)


@dataclass(frozen=True)
class DetectedClaim:
    quote: Piece
    parts: tuple[Piece, ...]
    kind: ClaimKind
    cue: Piece | None
    is_fragment: bool
    candidates: tuple[Candidate, ...] = field(default=())


@dataclass
class _Attribution:
    cue: tuple[int, int]
    speaker: Mention | None
    end: int  # end of the attribution phrase (the speaker or the verb)


def detect_claims(text: str) -> list[DetectedClaim]:
    """All claims in ``text``, in text order, with ranked candidate speakers."""
    if not text.strip():
        return []
    doc = Doc(text)
    index = NameIndex(doc)
    drafts = _quote_drafts(doc, index)
    drafts = _merge_indirect(drafts, indirect_drafts(doc, index, drafts))
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
    k = 0
    while k < len(quotes):
        q = quotes[k]
        s_lo, s_hi = doc.sentence_at(q.start)
        if drafts and drafts[-1].end > q.start:
            k += 1
            continue
        lead_lo = max(s_lo, drafts[-1].end if drafts else 0)
        if _is_title(doc, q):
            drafts.append(Draft(q.start, q.end, [(q.start, q.end)], "mixed", fragment=True))
            k += 1
            continue
        trail = _trailing(doc, index, q, s_hi)
        lead = None if trail else _leading(doc, index, q, lead_lo)
        if trail is not None:
            start = _content_start(doc, lead_lo, q.start)
            d = Draft(start, q.end, [(start, q.end)], "direct" if start == q.start else "mixed")
            d.cue, d.speaker = trail.cue, trail.speaker
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
            d.fragment = not whole
            if d.fragment:
                d.kind = "mixed"
        if d.cue is None and len(_WORD.findall(doc.text[d.start : d.end])) <= 3:
            d.fragment = True
        drafts.append(d)
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


def _content_start(doc: Doc, lead_lo: int, q_start: int) -> int:
    """Where a trailing-cue claim starts: the quote, or the clause holding it."""
    lead = doc.text[lead_lo:q_start]
    if not lead.strip() or re.search(r"[:;,—–]\s*$|^\s*[―—–-]+\s*$", lead):
        return q_start
    start = clause_start(doc, lead_lo, q_start)
    while start < q_start and doc.text[start].isspace():
        start += 1
    return start


def _is_mixed_lead(doc: Doc, attr_end: int, q_start: int) -> bool:
    """Words between the attribution and the quotation make it a mixed claim."""
    gap = doc.text[attr_end:q_start]
    if re.fullmatch(r"[\s,:]*(?:[―—–-]\s*)?", gap):
        return False
    words = [w.lower() for w in _WORD.findall(gap)]
    return not all(w in AFTER_VERB_FILLERS or w in ("a", "an", "the", "statement") for w in words)


def _sentence_content_end(doc: Doc, q_end: int, s_hi: int) -> int:
    end = s_hi
    while end > q_end and (doc.text[end - 1].isspace() or doc.text[end - 1] in ".;:"):
        end -= 1
    return max(end, q_end)


def _trailing(doc: Doc, index: NameIndex, q: QuoteSpan, s_hi: int) -> _Attribution | None:
    """A cue after the quotation: “…,” said X / X said / according to X / ― X."""
    text = doc.text
    hi = min(s_hi, doc.next_quote_start(q.end))
    seg = text[q.end : hi]
    inner_last = text[q.inner_end - 1] if q.inner_end > q.start else ""
    if not seg.strip():
        return _next_sentence_attribution(doc, index, q)
    dash = re.match(r"\s*([―—–-]+)\s*", seg)
    if dash and q.closed:
        sp = noun_phrase(doc, index, q.end + dash.end(), hi)
        if sp is not None:
            return _Attribution((q.end + dash.start(1), q.end + dash.end(1)), sp, sp.end)
    if not (inner_last in ",?!…—–-" or re.match(r"\s*,", seg) or _LOWER_CUE.match(seg)):
        return None
    acc = ACCORDING_RE.match(text, q.end + len(seg) - len(seg.lstrip(" ,")))
    if acc:
        sp = object_after(doc, index, acc.end(), hi)
        return _Attribution((acc.start(), acc.end()), sp, sp.end if sp else acc.end())
    comma = bool(re.match(r"\s*[,—–]", seg)) or inner_last in ",?!…—–-"
    for v in verbs_in(doc, q.end, hi):
        if not v.is_speech or v.start - q.end > 200:
            break
        if not plausible_verb(doc, v):
            continue
        before = text[q.end : v.start]
        n_before = len(_WORD.findall(before))
        if n_before > (25 if comma else 6) or (not comma and "," in before):
            return None
        if not _AUX_RE.sub("", before).strip(" ,\n"):
            sp = object_after(doc, index, v.end, hi)
            if sp is None:
                sp = subject_before(doc, index, q.end, v.start)
        else:
            sp = subject_before(doc, index, q.end, v.start)
        if sp is None:
            return None
        return _Attribution((v.start, v.end), sp, max(sp.end, v.end))
    return None


def _next_sentence_attribution(doc: Doc, index: NameIndex, q: QuoteSpan) -> _Attribution | None:
    """A bare attribution sentence right after the quotation: “…issues.” Xi said."""
    s_idx = doc.sentence_index(q.end)
    if doc.sentences and doc.sentences[s_idx][0] < q.end:
        s_idx += 1
    if s_idx >= len(doc.sentences):
        return None
    lo, hi = doc.sentences[s_idx]
    if doc.paragraph_index(lo) != doc.paragraph_index(q.start) or len(doc.tokens_in(lo, hi)) > 8:
        return None
    for v in verbs_in(doc, lo, hi):
        if not v.is_speech or not plausible_verb(doc, v):
            continue
        rest = doc.text[v.end : hi]
        if re.fullmatch(r"[\s\w,]*[.!]?\s*", rest):
            sp = subject_before(doc, index, lo, v.start)
            if sp is not None:
                return _Attribution((v.start, v.end), sp, v.end)
    return None


def _leading(doc: Doc, index: NameIndex, q: QuoteSpan, lead_lo: int) -> _Attribution | None:
    """A cue before the quotation: X said: “…” / X said that “…” / X: “…”."""
    text = doc.text
    if not text[lead_lo : q.start].strip():
        p = doc.paragraph_index(q.start)
        if p > 0 and doc.paragraphs[p][0] == q.start:
            _, prev_hi = doc.paragraphs[p - 1]
            if text[prev_hi - 1] == ":" and not doc.in_quote(prev_hi - 1):
                s_lo, _ = doc.sentence_at(prev_hi - 1)
                return _leading_in(doc, index, s_lo, prev_hi)
        return None
    return _leading_in(doc, index, lead_lo, q.start)


def _leading_in(doc: Doc, index: NameIndex, lo: int, hi: int) -> _Attribution | None:
    verbs = [v for v in verbs_in(doc, lo, hi) if plausible_verb(doc, v)]
    text = doc.text
    for v in verbs:
        if v.is_cognition and not re.match(r"\s+that\b", text[v.end : v.end + 6]):
            continue
        sp = _verb_subject(doc, index, lo, v)
        if sp is None:
            continue
        end = v.end
        obj = re.match(r"\s+(?:reporters|journalists|the \w+|\w+)(?=\s*[,:])", text[end:hi])
        if v.form in ("told", "tell", "tells", "telling") and obj:
            end += obj.end()
        that = re.match(r"\s*(?:,\s*)?(?=that\b)", text[end:hi])
        if that:
            end += that.end()
        return _Attribution((v.start, v.end), sp, end)
    colon = re.search(r"^\s*(.{1,60}?)\s*:\s*$", text[lo:hi])
    if colon and "," not in colon.group(1):
        sp = noun_phrase(doc, index, lo, lo + colon.end(1))
        if sp is not None and len(_WORD.findall(colon.group(1))) <= 6:
            c = lo + colon.end() - 1
            while text[c] != ":":
                c -= 1
            return _Attribution((c, c + 1), sp, c + 1)
    return None


def _verb_subject(doc: Doc, index: NameIndex, lo: int, v: Verb) -> Mention | None:
    if v.is_ing:
        before = doc.text[lo : v.start].rstrip()
        if not before.endswith(","):
            return None
        s_lo, _ = doc.sentence_at(v.start)
        cs = clause_start(doc, s_lo, v.start)
        return clause_subject(doc, index, cs, v.start)
    return subject_before(doc, index, lo, v.start)


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
            if doc.text[q2.end : s_hi].strip(" .") != "" and not _ends_sentence(doc, q2, s_hi):
                break
        if _trailing(doc, index, q2, s_hi) is not None:
            break
        d.parts.append((q2.start, q2.end))
        d.end = q2.end
        last_end = q2.end
        k += 1
    return k


# --- indirect claims -------------------------------------------------------------------


def _merge_indirect(drafts: list[Draft], indirect: list[Draft]) -> list[Draft]:
    """Add indirect claims; an unattributed quotation inside one makes it mixed."""
    kept = [d for d in drafts if not (d.fragment and d.cue is None)]
    frags = [d for d in drafts if d.fragment and d.cue is None]
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
