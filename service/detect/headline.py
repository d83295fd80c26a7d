"""Attributions in a headline (the article's first line), written without articles or
punctuation: ``Pence: Flowers Won’t Be at Debate``, ``Trump Could Act, Graham Says``,
``Christie Calls Clinton ‘A Disgrace’`` (a capitalised cue that the body rules ignore).

The source must look like one: a person, an organisation or a description ("Poll"), or a
name the article body repeats; otherwise the line is left to the ordinary rules.
"""

from __future__ import annotations

import re

from claimstance.detect.cuefind import ClaimKind, Draft
from claimstance.detect.cues import NAMING_FORMS, NOUN_LIKE_FORMS, ORG_WORDS, SPEECH_FORMS, words
from claimstance.detect.doc import Doc
from claimstance.detect.mentions import Mention, NameIndex
from claimstance.detect.phrases import noun_phrase

__all__ = ["headline_draft"]

MAX_WORDS = 20
_WORD = re.compile(r"\w+")
_SOURCE_WORDS = 6
_SAYS = re.compile(r",\s+([^,]{2,60}?)\s+(says|said)\W*$", re.IGNORECASE)
_CONTENT_END = " .;:!,"
_NOT_IN_NAMES = frozenset(words("over on in for to with from at by about against after"))


def headline_draft(doc: Doc, index: NameIndex) -> Draft | None:
    """The claim of the first line, when it is a short headline with a source and a cue."""
    first = next(
        (k for k, (_, end) in enumerate(doc.paragraphs) if doc.layout.get(k, -1) < end), None
    )
    if first is None or first + 1 >= len(doc.paragraphs):
        return None
    lo, hi = doc.paragraphs[first]
    lo = max(lo, doc.layout.get(first, lo))  # a breadcrumb's last crumb is the page title
    line = doc.text[lo:hi]
    if len(_WORD.findall(line)) > MAX_WORDS or re.search(r"[.!?]\s+\S", line):
        return None
    colon = re.match(r"([^:,;]{2,60}?)\s*:\s+(?=\S)", line)
    if colon and len(_WORD.findall(colon.group(1))) <= _SOURCE_WORDS:
        sp = _source(doc, index, lo, lo + colon.end(1))
        if sp is not None:
            c = lo + line.index(":", colon.end(1))
            return _draft(doc, lo + colon.end(), hi, (c, c + 1), sp)
        lo = lo + colon.end()  # "The Latest: Trump urges …"
    says = _SAYS.search(line)
    if says:
        sp = _source(doc, index, lo + says.start(1), lo + says.end(1))
        if sp is not None:
            return _draft(doc, lo, lo + says.start(), (lo + says.start(2), lo + says.end(2)), sp)
    toks = doc.tokens_in(lo, hi)
    for k, t in enumerate(toks[1 : _SOURCE_WORDS + 1], start=1):
        if not t.is_word or doc.in_quote(t.start):
            break
        if t.is_cap and (t.lower in NOUN_LIKE_FORMS or t.lower in ORG_WORDS):
            continue  # "Washington Post Hit Piece", "State Report"
        if t.lower in SPEECH_FORMS or t.lower in NAMING_FORMS:
            sp = _source(doc, index, lo, toks[k - 1].end)
            if sp is None:
                return None
            start = t.end
            that = re.match(r"\s+that\b", doc.text[start:hi], re.IGNORECASE)
            return _draft(doc, start + (that.end() if that else 0), hi, (t.start, t.end), sp)
    return None


def _source(doc: Doc, index: NameIndex, lo: int, hi: int) -> Mention | None:
    sp = noun_phrase(doc, index, lo, hi)
    if sp is None or sp.kind == "pronoun":
        return None
    sp = index.expand(sp)
    words = sp.name.lower().split()
    if set(words) & _NOT_IN_NAMES:
        return None  # "Stealth Over Health"
    if sp.kind != "unknown":
        return sp
    if doc.text[sp.start : sp.end].split()[0].lower() in ("a", "an", "the"):
        return None  # "The Latest"
    last = sp.name.split()[-1] if sp.name.split() else ""
    body = doc.text[doc.paragraphs[1][0] :]
    return sp if last and re.search(r"\b" + re.escape(last) + r"\b", body) else None


def _draft(doc: Doc, start: int, end: int, cue: tuple[int, int], sp: Mention) -> Draft | None:
    while start < end and doc.text[start].isspace():
        start += 1
    while end > start and doc.text[end - 1] in _CONTENT_END:
        end -= 1
    q = doc.quote_at(end - 1)
    if q is not None and q.end > end:
        end = q.end  # keep the closing mark of a quotation that ends the line
    if len(_WORD.findall(doc.text[start:end])) < 2:
        return None
    quotes = [q for q in doc.quotes if start <= q.start < end]
    kind: ClaimKind = "indirect"
    if quotes:
        whole = len(quotes) == 1 and quotes[0].start == start and quotes[0].end >= end
        kind = "direct" if whole else "mixed"
    d = Draft(start, end, [(start, end)], kind)
    d.cue, d.speaker = cue, sp
    return d
