"""Reading a speaker noun phrase: "said Yellen", "the top US diplomat", "a local farmer,
Ivo Petrov", "The US and China". The head name wins over a description, which wins over an
organisation; an apposition gives the role and affiliation; joint subjects stay whole.
"""

from __future__ import annotations

from dataclasses import replace

from claimstance.detect.cues import (
    DETERMINERS,
    MEDIA_WORDS,
    NP_BREAK_WORDS,
    SOURCE_NOUNS,
    SUBJECT_PRONOUNS,
    words,
)
from claimstance.detect.doc import Doc, Token
from claimstance.detect.mentions import (
    CONNECTORS,
    Mention,
    NameIndex,
    gender_of,
    role_affiliation,
)
from claimstance.text.glyphs import CLAUSE_DASHES

__all__ = ["noun_phrase", "with_apposition"]


_TIME_WORDS = frozenset(
    words("ago later earlier day days week weeks month months year years time times hour hours")
)


def noun_phrase(doc: Doc, index: NameIndex, start: int, end: int) -> Mention | None:
    """The speaker noun phrase in ``text[start:end]`` (a subject or an object).

    The phrase runs from ``start`` to a break word (``by``, ``who``, ``at``...). Inside it
    a person name wins over a description, which wins over an organisation name.
    Text after a comma is read as an apposition giving the role and affiliation.
    """
    toks = [t for t in doc.tokens_in(start, end) if not doc.in_quote(t.start)]
    while toks and toks[0].text in ",:;-(" + CLAUSE_DASHES:
        toks = toks[1:]
    if not toks:
        return None
    head, appos = _split_apposition(toks)
    if not head:
        return None
    if len(head) == 1 and head[0].lower in SUBJECT_PRONOUNS:
        t = head[0]
        return Mention(t.start, t.end, t.text, "pronoun", gender=gender_of([t.text]))
    cut = len(head)
    for k, t in enumerate(head):
        if k > 0 and t.lower in NP_BREAK_WORDS and not _inside_cap_run(head, k):
            cut = k
            break
    core = head[:cut]
    best = _joint(index, core) or _best_unit(index, core)
    if best is None:
        return None
    if appos and _is_description_phrase(best):
        named = _best_unit(index, appos)
        if named is not None and index.is_person(named):
            # "a new president, Lai Ching-te": the name is the source, the description its role
            words = [w for w in best.name.split() if w.lower() not in ("a", "an", "the")]
            return replace(index.expand(named), role=" ".join(words) or None)
    if appos:
        role, affil = role_affiliation(appos)
        best = replace(best, role=best.role or role, affiliation=best.affiliation or affil)
    return best


def _is_description_phrase(m: Mention) -> bool:
    """ "a local farmer", "the new chair": a determiner before lower-case words."""
    if m.kind == "anonymous":
        return True
    words = m.name.split()
    rest = " ".join(words[1:])
    return len(words) > 1 and words[0].lower() in ("a", "an", "the") and rest.islower()


def _joint(index: NameIndex, toks: list[Token]) -> Mention | None:
    """ "The US and China", "Biden and Xi": a joint source, not one of its members."""
    k = next((i for i, t in enumerate(toks) if t.lower == "and" and 0 < i < len(toks) - 1), None)
    if k is None:
        return None
    sides = (toks[:k], toks[k + 1 :])
    if any(not _all_name(side) for side in sides):
        return None  # "sales and marketing chief John Smith", "ministers of France and …"
    units = [_best_unit(index, side) or _bare_name(side) for side in sides]
    left, right = units
    if left is None or right is None or "anonymous" in (left.kind, right.kind):
        return None
    kind = left.kind if left.kind == right.kind else "organization"
    start, end = sides[0][0].start, sides[1][-1].end
    words = [t.text for t in toks if not (t is toks[0] and t.lower == "the")]
    return Mention(start, end, " ".join(words), kind)  # "Mr Smith and Mrs Smith", as written


def _all_name(toks: list[Token]) -> bool:
    """Every word capitalised but a leading article: a whole name ("the US", "Mr Smith")."""
    words = [t for t in toks if t.is_word]
    if words and words[0].lower == "the":
        words = words[1:]
    return bool(words) and all(t.is_cap for t in words)


def _bare_name(toks: list[Token]) -> Mention | None:
    """Capitalised words the name index passed over ("the US"): a name all the same."""
    caps = [t for t in toks if t.is_word and t.is_cap]
    if not caps or len(caps) < len([t for t in toks if t.lower not in ("the", "a", "an")]):
        return None
    return Mention(caps[0].start, caps[-1].end, " ".join(t.text for t in caps), "unknown")


def with_apposition(doc: Doc, m: Mention, lo: int, hi: int) -> Mention:
    """``m`` with the role and affiliation read from an apposition in ``text[lo:hi]``."""
    toks = [t for t in doc.tokens_in(lo, hi) if not doc.in_quote(t.start)]
    role, affil = role_affiliation(toks)
    return replace(m, role=m.role or role, affiliation=m.affiliation or affil)


def _inside_name(index: NameIndex, before: Token, dot: Token) -> bool:
    """A full stop after an initial belongs to the name only if the name goes on after it
    (``Doc.name_stop``: "said Malcolm X. Critics said" ends at "X")."""
    return len(before.text) > 1 or not before.is_cap or index.doc.name_stop(dot.start)


def _inside_cap_run(toks: list[Token], k: int) -> bool:
    return toks[k].lower in ("of",) and 0 < k < len(toks) - 1 and toks[k + 1].is_cap


def _split_apposition(toks: list[Token]) -> tuple[list[Token], list[Token]]:
    if "," not in [t.text for t in toks]:
        return toks, []
    k = next(i for i, t in enumerate(toks) if t.text == ",")
    rest = toks[k + 1 :]
    if "," in [t.text for t in rest]:
        rest = rest[: next(i for i, t in enumerate(rest) if t.text == ",")]
    return toks[:k], rest


def _best_unit(index: NameIndex, toks: list[Token]) -> Mention | None:
    """The head of a chunk: last person name, else a description, else an org name."""
    names: list[tuple[int, Mention]] = []
    k = 0
    while k < len(toks):
        if toks[k].is_cap and toks[k].is_word:
            j = k + 1
            while j < len(toks) and (
                toks[j].is_cap
                or (toks[j].text == "." and _inside_name(index, toks[j - 1], toks[j]))
                or (toks[j].lower in CONNECTORS and j + 1 < len(toks) and toks[j + 1].is_cap)
            ):
                j += 1
            m = index.make_name(toks[k:j])
            if m is not None:
                names.append((k, m))
            k = j
        else:
            k += 1
    persons = [(k, m) for k, m in names if index.is_person(m)]
    if persons:
        k, m = persons[-1]
        m = index.expand(m)
        if k > 0:
            pre = [t.text for t in toks[:k] if t.lower not in DETERMINERS]
            prefix = " ".join(pre)
            if prefix:
                orgs = [n for _, n in names if n.kind != "person" and n.start < m.start]
                role = m.role or prefix
                affil = orgs[0].name if orgs else None
                m = replace(m, role=role, affiliation=m.affiliation or affil)
            m = replace(m, start=toks[0].start)
        return m
    for k in range(len(toks) - 1, -1, -1):
        if toks[k].lower in SOURCE_NOUNS:
            surface = index.doc.text[toks[0].start : toks[k].end]
            orgs = [n for _, n in names if n.kind != "unknown"]
            kind = "anonymous"
            if toks[k].lower in MEDIA_WORDS:
                kind = "media"
            elif orgs and orgs[-1].end >= toks[k].end:
                kind = orgs[-1].kind
            return Mention(toks[0].start, toks[k].end, surface, kind)
    if not names and toks[0].lower in DETERMINERS and 1 < len(toks) <= 6:
        last = toks[-1]
        timeish = {t.lower for t in toks} & _TIME_WORDS
        if (
            last.is_word
            and last.text[0].islower()
            and not last.lower.endswith("ly")
            and not timeish
        ):
            surface = index.doc.text[toks[0].start : last.end]
            return Mention(toks[0].start, last.end, surface, "unknown")
    if names:
        k, m = names[0]
        if m.kind == "unknown":
            m = replace(m, kind="organization" if m.name.isupper() else "unknown")
        return replace(m, start=toks[0].start) if toks[0].lower in DETERMINERS else m
    return None
