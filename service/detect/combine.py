"""Where the word-pattern rules and the dependency parse meet: which reading of a cue wins.

A rule's claim stands unless the parse contradicts it (its speaker or cue inside the rule's
content, its content on the other side of the same cue, a clause read as a speaker, a cue
word in another sense); where both share a cue, the parse's grammatical subject is the
speaker, and a rule that took part of the governed clause gets the whole of it; then the
parse's claims that nothing else covers are added. Claims never overlap.
"""

from __future__ import annotations

import bisect
import re

from claimstance.detect.cuefind import Draft, widest_first
from claimstance.detect.cues import LONG_QUOTE
from claimstance.detect.doc import Doc
from claimstance.detect.parsed import Reading
from claimstance.text.glyphs import CLAUSE_DASHES

__all__ = ["combine", "unattribute_misread"]

_WORD = re.compile(r"\w+")
_ASIDE = re.compile(rf"\s*(?:,\s*(?:which|who|whom|whose)\b|--|[{CLAUSE_DASHES}])")
#: Parse readings whose content is a noun phrase, which a rule runs on past an aside.
_PHRASE_READINGS = frozenset({"parse:object", "parse:named-object", "parse:preposition"})


def unattribute_misread(doc: Doc, drafts: list[Draft], reading: Reading) -> None:
    """A scare quote read as attributed by a cue after it, where the parse shows that cue
    governing a clause of its own after it ("… a “no limits” partnership …, US officials
    warn Chinese companies are …"): it is not that cue's quotation but a fragment. A longer
    quotation keeps its attribution ("“It is over,” she said the coach told her")."""
    near = _Nearby(reading.drafts)
    for d in drafts:
        p = near.same_cue(d)
        if p is None or d.cue is None or d.kind == "direct":
            continue  # a quotation right before its cue is that cue's: "“No,” she said the …"
        if not d.end <= d.cue[0] < d.cue[1] <= p.start:
            continue
        inner = sum(
            len(_WORD.findall(doc.text[q.inner_start : q.inner_end]))
            for q in doc.quotes
            if d.start <= q.start and q.end <= d.end
        )
        if inner < LONG_QUOTE:
            d.cue, d.speaker, d.kind, d.fragment = None, None, "mixed", True


def combine(doc: Doc, rules: list[Draft], reading: Reading) -> list[Draft]:
    """Rule drafts, except where the parse contradicts one or reads its cue in another
    sense; then the parse drafts that add a claim."""
    parsed = reading.drafts
    near = _Nearby(parsed)
    kept = [
        r
        for r in rules
        if not (r.cue and r.cue[0] in reading.not_cues)
        and not _clause_as_speaker(r, reading)
        and not any(_contradicts(p, r) for p in near.around(r))
    ]
    for r in kept:
        p = near.same_cue(r)
        if p is not None and p.speaker is not None:
            # the parse knows the cue's grammatical subject: "The US and China said" (not
            # "China"), "China sees …, and Mr Xi has indicated that …" (not "China")
            r.speaker = p.speaker
        if (
            p is not None
            and p.start <= r.start
            and r.end <= p.end
            and (p.start, p.end) != (r.start, r.end)
        ):
            # the rule took part of the clause the cue governs ("warn [Chinese companies
            # are sending technology] that helps …"): the parse's extent is the content
            r.start, r.end, r.parts = p.start, p.end, list(p.parts)
        elif (
            p is not None
            and p.rule in _PHRASE_READINGS
            and r.start <= p.start < p.end < r.end
            and r.kind != "direct"
            and _aside_after(doc, p.end)
        ):
            r.start, r.end, r.parts = p.start, p.end, list(p.parts)
    kept = widest_first(kept)  # a widened claim never overlaps another
    return _add_disjoint(kept, parsed)


def _aside_after(doc: Doc, end: int) -> bool:
    """A writer's aside right after a phrase content: a relative clause after a comma
    (", which …") or a dash. A comma alone may be the content's own apposition ("his
    rival, Senator Jane Smith")."""
    return _ASIDE.match(doc.text, end) is not None


def _add_disjoint(kept: list[Draft], extra: list[Draft]) -> list[Draft]:
    """``kept`` (disjoint, in order) plus the drafts of ``extra`` that overlap none of them."""
    starts = [k.start for k in kept]
    out = list(kept)
    for d in extra:
        i = bisect.bisect_left(starts, d.end)  # kept drafts starting before d ends
        if i == 0 or kept[i - 1].end <= d.start:
            out.append(d)
    return sorted(out, key=lambda d: d.start)


class _Nearby:
    """Parse drafts by position, so each rule is compared with those near it only."""

    #: How far apart a rule and a parse draft can be and still concern the same words.
    REACH = 800

    def __init__(self, parsed: list[Draft]) -> None:
        self.parsed = sorted(parsed, key=lambda d: d.start)
        self.starts = [d.start for d in self.parsed]

    def around(self, draft: Draft) -> list[Draft]:
        lo = bisect.bisect_left(self.starts, draft.start - self.REACH)
        hi = bisect.bisect_right(self.starts, draft.end + self.REACH)
        return self.parsed[lo:hi]

    def same_cue(self, draft: Draft) -> Draft | None:
        """The parse draft whose cue holds ``draft``'s ("has indicated" holds "indicated")."""
        return _same_cue(self.around(draft), draft)


def _clause_as_speaker(rule: Draft, reading: Reading) -> bool:
    """A rule read a clause as the speaker ("…, warned the quotas would hurt")."""
    sp = rule.speaker
    if sp is None:
        return False
    k = bisect.bisect_left(reading.finite_verbs, sp.start)
    return k < len(reading.finite_verbs) and reading.finite_verbs[k] < sp.end


def _within(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _same_cue(parsed: list[Draft], draft: Draft) -> Draft | None:
    """The parse draft whose cue holds ``draft``'s cue ("has indicated" holds "indicated")."""
    if draft.cue is None:
        return None
    cue = draft.cue
    return next((p for p in parsed if p.cue is not None and _within(cue, p.cue)), None)


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _contradicts(parsed: Draft, rule: Draft) -> bool:
    """The parse reads the rule's words otherwise: its speaker or cue inside the rule's
    content, or the rule's speaker inside its content."""
    if parsed.cue is not None and rule.cue is not None and _within(rule.cue, parsed.cue):
        cue_lo, cue_hi = parsed.cue
        before = rule.end <= cue_lo and parsed.start >= cue_hi
        after = rule.start >= cue_hi and parsed.end <= cue_lo
        if before or after:
            return True  # one cue, and the parse reads its content on the other side
    content = (rule.start, rule.end)
    p_speaker = (parsed.speaker.start, parsed.speaker.end) if parsed.speaker else None
    r_speaker = (rule.speaker.start, rule.speaker.end) if rule.speaker else None
    return (
        _overlaps(p_speaker, content)
        or _overlaps(parsed.cue, content)
        or _overlaps(r_speaker, (parsed.start, parsed.end))
    )
