"""Attribution phrases next to a quotation: the cue and the speaker noun phrase.

* trailing: ``“…,” said X`` / ``X said`` / ``according to X`` / ``― X`` / a short
  attribution sentence right after the quotation (``“…issues.” Xi said.``);
* leading: ``X said: “…”`` / ``X said that “…”`` / ``X: “…”`` / ``X called Y a “…”``
  (a naming verb before a quoted term) / ``The piece used it as its headline: “…”``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimstance.detect.cuefind import (
    Verb,
    clause_start,
    clause_subject,
    coordinated_subject,
    ing_subject,
    object_after,
    plausible_verb,
    prev_word,
    skip_fillers,
    subject_before,
    verbs_in,
)
from claimstance.detect.cues import ACCORDING_RE, AUXILIARIES
from claimstance.detect.doc import Doc
from claimstance.detect.mentions import Mention, NameIndex
from claimstance.detect.phrases import noun_phrase
from claimstance.detect.quotes import QuoteSpan
from claimstance.text.glyphs import BAR, CLAUSE_DASHES, DOUBLE_MARKS, QUOTE_MARKS, char_class

__all__ = ["Attribution", "leading", "trailing"]

_WORD = re.compile(r"\w+")
_AUX_RE = re.compile(r"\b(?:" + "|".join(sorted(AUXILIARIES)) + r")\b")
_RUN_ON = re.compile(
    r"(\s+[^,.;:!?" + char_class(DOUBLE_MARKS) + r"\n]{1,100}?),\s+"
    r"(he|she|they|[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3})"
    r"\s+(said|says|added|adds|wrote|writes)\b"
)
_ADJACENT = re.compile(r"[\s,:]*")
#: What a quotation's last inner character is when its sentence goes on to the cue.
_CLOSING_PUNCT = ",?!…-" + CLAUSE_DASHES
_SUBORDINATE = re.compile(r"[\s,]*(?:when|after|because|while|if|before|since|until|as)\b")
_LOWER_CUE = re.compile(
    r"\s+(?:he|she|they|we|i|it|the|a|an|one|another|his|her|their|its|our|said|says|added|"
    r"adds|according|told|tells|wrote|writes|asked|asks|explained|continued)\b"
)


@dataclass
class Attribution:
    cue: tuple[int, int]
    speaker: Mention | None
    end: int  # end of the attribution phrase (the speaker or the verb)
    content_end: int | None = None  # a mixed claim running on after the quotation


def trailing(doc: Doc, index: NameIndex, q: QuoteSpan, s_hi: int) -> Attribution | None:
    """A cue after the quotation: “…,” said X / X said / according to X / ― X."""
    text = doc.text
    hi = min(s_hi, doc.next_quote_start(q.end))
    seg = text[q.end : hi]
    inner_last = text[q.inner_start : q.inner_end].rstrip(" " + QUOTE_MARKS)[-1:]
    if not seg.strip():
        return _next_sentence_attribution(doc, index, q)
    dash = re.match(r"\s*([" + BAR + CLAUSE_DASHES + r"-]+)\s*", seg)
    if dash and q.closed:
        sp = noun_phrase(doc, index, q.end + dash.end(), hi)
        if sp is not None:
            return Attribution((q.end + dash.start(1), q.end + dash.end(1)), sp, sp.end)
    if not (inner_last in _CLOSING_PUNCT or re.match(r"\s*,", seg) or _LOWER_CUE.match(seg)):
        return _run_on(doc, index, q, hi)
    acc = ACCORDING_RE.match(text, q.end + len(seg) - len(seg.lstrip(" ,")))
    if acc:
        sp = object_after(doc, index, acc.end(), hi)
        return Attribution((acc.start(), acc.end()), sp, sp.end if sp else acc.end())
    comma = bool(re.match(r"\s*[," + CLAUSE_DASHES + "]", seg)) or inner_last in _CLOSING_PUNCT
    for v in verbs_in(doc, q.end, hi):
        if not v.is_speech or v.start - q.end > 200:
            break
        if not plausible_verb(doc, v):
            continue
        before = text[q.end : v.start]
        n_before = len(_WORD.findall(before))
        if n_before > (25 if comma else 6) or (not comma and "," in before):
            return None
        if _SUBORDINATE.match(before):
            return None  # “…,” when Clinton blasted him: not the quotation's cue
        if not _AUX_RE.sub("", before).strip(" ,\n"):
            sp = object_after(doc, index, v.end, hi)
            if sp is None:
                sp = subject_before(doc, index, q.end, v.start)
        else:
            sp = subject_before(doc, index, q.end, v.start)
        if sp is None:
            return None
        return Attribution((v.start, v.end), sp, max(sp.end, v.end))
    return None


def _run_on(doc: Doc, index: NameIndex, q: QuoteSpan, hi: int) -> Attribution | None:
    """“You squeezed employees” to drive up the stock, she said: the clause runs on."""
    m = _RUN_ON.match(doc.text, q.end, hi)
    if m is None or any(doc.in_quote(t.start) for t in doc.tokens_in(q.end, m.end())):
        return None
    sp = noun_phrase(doc, index, m.start(2), m.end(2))
    if sp is None or (sp.kind == "unknown" and sp.name[0].islower()):
        return None
    return Attribution((m.start(3), m.end(3)), sp, m.end(3), content_end=m.end(1))


def _next_sentence_attribution(doc: Doc, index: NameIndex, q: QuoteSpan) -> Attribution | None:
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
                return Attribution((v.start, v.end), sp, v.end)
    return None


def leading(doc: Doc, index: NameIndex, q: QuoteSpan, lead_lo: int) -> Attribution | None:
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


def _leading_in(doc: Doc, index: NameIndex, lo: int, hi: int) -> Attribution | None:
    verbs = [v for v in verbs_in(doc, lo, hi) if plausible_verb(doc, v)]
    text = doc.text
    adjacent = [
        v
        for v in verbs
        if _ADJACENT.fullmatch(text, skip_fillers(doc, v.end, hi), hi)
        and re.search(r"[,:]\s*$", text[v.end : hi])
    ]
    if adjacent and adjacent[-1] is not verbs[0]:
        # the verb right before the quotation governs it: "When X noted …, Y boasted, “…”"
        sp = _verb_subject(doc, index, lo, adjacent[-1])
        if sp is not None:
            verbs = [adjacent[-1]]
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
        return Attribution((v.start, v.end), sp, end)
    colon = re.search(r"^\s*(.{1,60}?)\s*:\s*$", text[lo:hi])
    if colon and "," not in colon.group(1):
        sp = noun_phrase(doc, index, lo, lo + colon.end(1))
        if sp is not None and len(_WORD.findall(colon.group(1))) <= 6:
            c = lo + colon.end() - 1
            while text[c] != ":":
                c -= 1
            return Attribution((c, c + 1), sp, c + 1)
    for v in reversed(list(verbs_in(doc, lo, hi, naming=True))):
        sp = _verb_subject(doc, index, lo, v) if plausible_verb(doc, v) else None
        if sp is not None:
            return Attribution((v.start, v.end), sp, v.end)
    return _colon_clause(doc, index, lo, hi)


def _colon_clause(doc: Doc, index: NameIndex, lo: int, hi: int) -> Attribution | None:
    """``The piece used her words as its headline: “…”``: the clause subject speaks."""
    m = re.search(r":\s*$", doc.text[lo:hi])
    if m is None:
        return None
    c = lo + m.start()
    s_lo, _ = doc.sentence_at(c)
    start = clause_start(doc, max(lo, s_lo), c)
    commas = [t.end for t in doc.tokens_in(start, c) if t.text == "," and not doc.in_quote(t.start)]
    start = commas[-1] if commas else start  # "With X worried about Y, Obama has a message:"
    sp = clause_subject(doc, index, start, c)
    if sp is None or sp.end >= c or not _WORD.search(doc.text[sp.end : c]):
        return None
    return Attribution((c, c + 1), sp, c + 1)


def _verb_subject(doc: Doc, index: NameIndex, lo: int, v: Verb) -> Mention | None:
    if v.is_ing:
        return ing_subject(doc, index, lo, v)
    if prev_word(doc, v.start) in ("and", "but"):
        # a coordinated verb shares the clause subject: "Clinton stressed X and said …"
        sp = coordinated_subject(doc, index, lo, v)
        if sp is not None:
            return sp
    return subject_before(doc, index, lo, v.start)
