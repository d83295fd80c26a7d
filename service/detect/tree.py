"""Reading spaCy's dependency tree for :mod:`.parsed`: subjects, extents, sentence clips.

Pure functions of parse tokens and a :class:`.doc.Doc`; imports only the document model.
"""

from __future__ import annotations

from typing import Any

from claimstance.detect.doc import Doc

__all__ = [
    "SUBJECTS",
    "child",
    "extent",
    "marked_that",
    "marked_to",
    "passive",
    "skip_edge",
    "subject",
    "trim_end",
    "within_sentence",
    "words",
]

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_RELATIVES = frozenset({"who", "which", "that"})
PUNCT_EDGE = " \t\n,;:—–-"


def passive(verb: Any) -> bool:
    """ "is expected to", "was asked to": the subject is not the one who intends."""
    return any(c.dep_ == "auxpass" for c in verb.children)


def within_sentence(doc: Doc, start: int, end: int, *, anchor: int) -> tuple[int, int]:
    """Clip a content to the sentence of its cue, and to its side of a semicolon: a claim
    never runs into the next sentence or an independent clause (the parser sometimes
    attaches them)."""
    s_lo, s_hi = doc.sentence_at(anchor)
    start, end = max(start, s_lo), min(end, s_hi)
    if start < anchor:  # a content before its cue: cut after the last semicolon
        cut = doc.text.rfind(";", start, min(end, anchor))
        start = cut + 1 if cut >= 0 else start
    else:
        cut = doc.text.find(";", start, end)
        end = cut if cut >= 0 else end
    return skip_edge(doc, start, end), trim_end(doc, start, end)


def child(token: Any, deps: tuple[str, ...]) -> Any | None:
    return next((c for c in token.children if c.dep_ in deps), None)


def marked_to(token: Any) -> bool:
    """A verb with "to" among its dependents: an infinitive ("to explain", "to find")."""
    return any(a.lower_ == "to" for a in token.children)


def marked_that(clause: Any) -> bool:
    """A clause introduced by the conjunction "that" (a "mark"; not the pronoun "that")."""
    return any(m.dep_ == "mark" and m.lower_ == "that" for m in clause.children)


def subject(verb: Any, *, speech: bool = False) -> tuple[Any, Any | None] | None:
    """The verb's subject, or that of the verb it is coordinated with, complements or (as a
    participle) modifies, and for a relative pronoun the noun it stands for ("Lai, who
    rejects …"): (subject, antecedent or None)."""
    seen = 0
    while verb is not None and seen < 4:
        subject = child(verb, SUBJECTS)
        if subject is not None and subject.lower_ in _RELATIVES and verb.dep_ == "relcl":
            return subject, verb.head
        if subject is not None:
            return subject, None
        if (controller := _participle_controller(verb)) is not None:
            obj = child(controller, ("dobj",)) if verb.head.lower_ in ("as", "for") else None
            if obj is not None:  # "quoted officials as saying …", "praised her for saying …"
                return obj, None
            if speech and controller.dep_ == "ccomp" and verb.i > controller.head.i:
                # "X said the tunnel would open, citing …": the one who cites is X, who
                # reported the clause, not the clause's own subject (a speech participle;
                # "…, showing signs that …" is the clause's)
                controller = controller.head
            verb, seen = controller, seen + 1
            continue
        if verb.dep_ not in ("conj", "xcomp") or verb.head == verb:
            return None
        if verb.dep_ == "xcomp":
            obj = child(verb.head, ("dobj",))
            if obj is not None:
                return obj, None  # object control: "urged Stumpf to admit" -> Stumpf
        verb, seen = verb.head, seen + 1
    return None


def _participle_controller(verb: Any) -> Any | None:
    """The clause whose subject a participle shares: "X left, adding …", "X quit after saying …"."""
    head = verb.head.head if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" else verb.head
    if verb.tag_ != "VBG" or verb.dep_ not in ("advcl", "pcomp") or head == verb:
        return None
    return head if head.pos_ in ("VERB", "AUX") else None


def extent(doc: Doc, token: Any) -> tuple[int, int]:
    """Character extent of ``token``'s subtree, without edge punctuation."""
    lo = token.left_edge.idx
    right = token.right_edge
    hi = right.idx + len(right.text)
    return skip_edge(doc, lo, hi), trim_end(doc, lo, hi)


def skip_edge(doc: Doc, lo: int, hi: int) -> int:
    while lo < hi and doc.text[lo] in PUNCT_EDGE:
        lo += 1
    return lo


def trim_end(doc: Doc, lo: int, hi: int) -> int:
    while hi > lo and (doc.text[hi - 1] in PUNCT_EDGE or doc.text[hi - 1] in ".!?"):
        hi -= 1
    return hi


def words(doc: Doc, start: int, end: int) -> int:
    return len(doc.text[start:end].split())
