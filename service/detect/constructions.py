"""Reported speech in constructions other than a cue verb governing its complement.

"according to X", a claim noun with a possessor ("his claim that …"), a predicate adjective
over a clause ("afraid that …"), a passive cue with its agent ("endorsed by the union") and a
cue set off by commas inside what it reports ("…, Mr. Obama said, …"); and the two readings
every construction shares: the speaker phrase of a subject and where a content ends.
Imports the document model, the name index, the phrase reader and :mod:`.tree` only.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from typing import Any

from claimstance.detect.cuefind import Draft
from claimstance.detect.cues import (
    ALL_VERB_FORMS,
    CONTENT_OBJECT_FORMS,
    INTENTION_NOUNS,
    OBJECT_VERBS,
    PERSON_OBJECT_SENSE_FORMS,
    SPEECH_FORMS,
)
from claimstance.detect.doc import Doc
from claimstance.detect.mentions import Mention, NameIndex, gender_of
from claimstance.detect.phrases import noun_phrase
from claimstance.detect.tree import (
    SUBJECTS,
    child,
    extent,
    marked_that,
    skip_edge,
    subject,
    trim_end,
    within_sentence,
)

__all__ = [
    "according",
    "attitude",
    "attributed",
    "before_new_clause",
    "by_agent",
    "inverted",
    "nominal",
    "parenthetical",
    "speaker_of",
]

_POSSESSIVE_PRONOUNS = {"his": "he", "her": "she", "their": "they", "its": "it"}
#: Subjects that stand for no one: "it was clear that …", "this is likely …"; a relative
#: pronoun stands for its antecedent ("farmers, who are afraid that …"), so there only "it".
_IMPERSONAL = frozenset({"it", "this", "that", "there", "what", "which"})
_IMPERSONAL_FOR_RELATIVE = frozenset({"it", "there"})
_JOINED_CLAUSES = frozenset({"conj", "advcl", "parataxis"})


def attitude(doc: Doc, index: NameIndex, adjective: Any) -> Draft | None:
    """ "Many Democrats are afraid that …", "she was sure Trump would win": a predicate
    adjective governing a clause states its subject's belief or feeling; the adjective
    class is open, the grammar decides ("it was clear that …" has no one behind it)."""
    clause = next((c for c in adjective.children if c.dep_ == "ccomp" and c.i > adjective.i), None)
    copula = adjective.head
    found = subject(copula)
    if clause is None or found is None:
        return None
    subj, antecedent = found
    if subj.lower_ in (_IMPERSONAL if antecedent is None else _IMPERSONAL_FOR_RELATIVE):
        return None
    start, end = within_sentence(doc, *extent(doc, clause), anchor=adjective.idx)
    if start >= end:
        return None
    d = Draft(start, end, [(start, end)], "indirect", rule="parse:attitude")
    d.cue = (min(copula.idx, adjective.idx), adjective.idx + len(adjective.text))
    d.speaker = attributed(doc, index, subj, antecedent)
    return d


def by_agent(doc: Doc, index: NameIndex, verb: Any) -> Draft | None:
    """ "The plan was endorsed by the union", "residents were warned by police that …": a
    passive cue with its agent, who is the source; the content is the clause it governs, or
    else (for a stance verb) the passive subject."""
    form = verb.lower_
    clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i), None)
    if clause is None and (form not in CONTENT_OBJECT_FORMS or form in PERSON_OBJECT_SENSE_FORMS):
        return None  # "was questioned by reporters", "the book was written by": no claim
    if clause is not None and form not in ALL_VERB_FORMS:
        return None
    by = next((c for c in verb.children if c.dep_ == "agent"), None)
    source = child(by, ("pobj",)) if by is not None else None
    patient = child(verb, ("nsubjpass",))
    if (
        by is None
        or source is None
        or patient is None
        or (clause is None and patient.pos_ == "PRON")
        or patient.i > verb.i
    ):
        return None
    # "were warned by police that …": the clause is the content, the patient its audience
    content = patient if clause is None else clause
    start, end = within_sentence(doc, *extent(doc, content), anchor=verb.idx)
    if start >= end:
        return None
    d = Draft(start, end, [(start, end)], "indirect", rule="parse:by-agent")
    auxiliaries = [a.idx for a in verb.children if a.dep_ in ("aux", "auxpass") and a.i > patient.i]
    d.cue = (min([verb.idx, *auxiliaries]), by.idx + len(by.text))
    d.speaker = speaker_of(doc, index, source)
    return d


def parenthetical(doc: Doc, index: NameIndex, verb: Any) -> Draft | None:
    """ "The museum, Mr. Obama said, would make visitors …": a cue set off by commas inside
    the clause it reports, which is the content, in two parts around it."""
    form = verb.lower_
    subj = child(verb, ("nsubj",))
    if form not in ALL_VERB_FORMS or subj is None:
        return None
    if any(c.dep_ in ("ccomp", "xcomp") for c in verb.children):
        return None
    if child(verb, ("dobj",)) is not None and form not in OBJECT_VERBS:
        return None  # "…, the mayor told reporters, …": for a verb of telling, the audience
    cue_lo = min(t.idx for t in verb.subtree)
    cue_hi = max(t.idx + len(t.text) for t in verb.subtree)
    c_lo, c_hi = within_sentence(doc, *extent(doc, verb.head), anchor=verb.head.idx)
    before = (skip_edge(doc, c_lo, cue_lo), trim_end(doc, c_lo, cue_lo))
    c_hi = before_new_clause(doc, verb.head, cue_hi, c_hi)  # "…, and wages, he said, …"
    after = (skip_edge(doc, cue_hi, c_hi), trim_end(doc, cue_hi, c_hi))
    if before[0] >= before[1] or after[0] >= after[1] or not c_lo <= cue_lo < cue_hi <= c_hi:
        return None
    if doc.in_quote(before[0]) or doc.in_quote(after[1] - 1):
        return None  # a quotation around its cue: the quotation rules' claim
    d = Draft(before[0], after[1], [before, after], "indirect", rule="parse:parenthetical")
    d.cue = (
        min([verb.idx, *(a.idx for a in verb.children if a.dep_ == "aux")]),
        verb.idx + len(verb.text),
    )
    d.speaker = speaker_of(doc, index, subj)
    return d


def inverted(doc: Doc, index: NameIndex, verb: Any) -> Draft | None:
    """ "The bridge, said the mayor, will open in June": the parser gives the cue two
    subjects, the content's before it and the speaker after it; the content is in two parts
    around the cue phrase."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i), None)
    form = verb.lower_
    if len(subjects) != 2 or clause is None or form not in SPEECH_FORMS:
        return None
    first, speaker = subjects
    if not first.i < verb.i < speaker.i < clause.i:
        return None
    lo, first_hi = extent(doc, first)
    cue_hi = max(t.idx + len(t.text) for t in speaker.subtree)
    c_lo, c_hi = extent(doc, clause)
    c_lo = skip_edge(doc, max(c_lo, cue_hi), c_hi)
    before = within_sentence(doc, lo, first_hi, anchor=verb.idx)
    after = within_sentence(doc, c_lo, c_hi, anchor=verb.idx)
    if before[0] >= before[1] or after[0] >= after[1] or doc.in_quote(before[0]):
        return None
    d = Draft(before[0], after[1], [before, after], "indirect", rule="parse:parenthetical")
    d.cue = (verb.idx, verb.idx + len(verb.text))
    d.speaker = speaker_of(doc, index, speaker)
    return d


def before_new_clause(doc: Doc, head: Any, lo: int, hi: int) -> int:
    """Cut a content before a clause with a subject of its own that is joined to it rather
    than part of what is reported: "fathers would not be eligible[, and when pressed, the
    mother replied otherwise]", "China will not back down[, while Biden said …]"."""
    for c in head.children:
        if c.i <= head.i or c.dep_ not in _JOINED_CLAUSES:
            continue
        if _speakers_participle(c) or (
            child(c, SUBJECTS) is not None and (c.dep_ == "conj" or _reports(c))
        ):
            cut = min(t.idx for t in c.subtree)
            cc = [t.idx for t in head.children if t.dep_ in ("cc", "punct") and head.i < t.i < c.i]
            cut = min([cut, *cc])
            return trim_end(doc, lo, min(hi, cut))
    return hi


def _speakers_participle(c: Any) -> bool:
    """ "…, arguing that …", "…, citing …": a speech participle after a comma goes on with
    the speaker's own act, a claim of its own, not a part of what was reported ("…, showing
    signs that …" is)."""
    if c.dep_ != "advcl" or c.tag_ != "VBG" or c.left_edge.i == 0:
        return False
    return c.lower_ in SPEECH_FORMS and c.left_edge.nbor(-1).text == ","


def nominal(doc: Doc, index: NameIndex, noun: Any) -> Draft | None:
    """ "his claim that …", "the ministry's warning that …", "Britain's decision to leave
    …": a noun with a possessor, who is the source, and a complement that is what the
    possessor says, believes or intends: a "that" clause for any noun (not a relative
    clause: "the plan that he proposed"), or an infinitive for a noun of intention."""
    if noun.dep_ == "ROOT":
        return None  # a noun heading the sentence: the parser swallowed its verb
    clause = next((c for c in noun.children if _that_clause(noun, c)), None)
    if clause is None and noun.lower_ in INTENTION_NOUNS:
        clause = next((c for c in noun.children if _infinitive(noun, c)), None)
    owner = child(noun, ("poss",))
    if clause is None or owner is None:
        return None
    c_lo, c_hi = extent(doc, clause)
    start, end = within_sentence(
        doc, c_lo, before_new_clause(doc, clause, c_lo, c_hi), anchor=noun.idx
    )
    if start >= end:
        return None
    d = Draft(start, end, [(start, end)], "indirect", rule="parse:noun")
    d.cue = (noun.idx, noun.idx + len(noun.text))
    pronoun = _POSSESSIVE_PRONOUNS.get(owner.lower_)
    if pronoun is not None:  # "his claim": resolved like "he"
        o_end = owner.idx + len(owner.text)
        d.speaker = Mention(owner.idx, o_end, pronoun, "pronoun", gender=gender_of([pronoun]))
    else:
        d.speaker = speaker_of(doc, index, owner)
    return d


def _infinitive(noun: Any, c: Any) -> bool:
    if c.dep_ != "acl" or c.i < noun.i:
        return False
    return any(a.lower_ == "to" and a.dep_ == "aux" for a in c.children)


def _that_clause(noun: Any, c: Any) -> bool:
    if c.dep_ not in ("acl", "ccomp") or c.i < noun.i:
        return False
    return marked_that(c)


def according(doc: Doc, index: NameIndex, token: Any) -> Draft | None:
    """``According to X, CLAUSE`` / ``CLAUSE, according to X``: the clause is the content."""
    to = next((c for c in token.children if c.lower_ == "to"), None)
    if to is None:
        return None
    source = child(to, ("pobj",))
    clause = token.head
    if source is None or clause == token:
        return None
    phrase_lo = token.idx
    phrase_hi = max(t.idx + len(t.text) for t in token.subtree)
    lo, hi = extent(doc, clause)
    if phrase_lo <= lo:  # the phrase leads: the content follows it
        lo = skip_edge(doc, phrase_hi, hi)
    elif phrase_hi >= hi:  # the phrase trails
        hi = trim_end(doc, lo, phrase_lo)
    else:
        return None  # in mid-clause: leave it to the rules
    lo, hi = within_sentence(doc, lo, before_new_clause(doc, clause, lo, hi), anchor=token.idx)
    if lo >= hi or any(lo <= t.idx < hi and _reports(t) for t in clause.subtree):
        return None  # another cue inside: its own claim, not the source's
    d = Draft(lo, hi, [(lo, hi)], "indirect", rule="parse:according")
    d.cue = (token.idx, to.idx + len(to.text))
    d.speaker = speaker_of(doc, index, source)
    return d


def attributed(doc: Doc, index: NameIndex, subj: Any, antecedent: Any | None) -> Mention:
    """The speaker of a subject found by :func:`.tree.subject`: for a relative pronoun
    ("Lai, who rejects …") the mention is the pronoun, the source the noun it stands for."""
    if antecedent is None:
        return speaker_of(doc, index, subj)
    source = speaker_of(doc, index, antecedent, before=subj.idx)
    return replace(source, start=subj.idx, end=subj.idx + len(subj.text))


def speaker_of(doc: Doc, index: NameIndex, subject: Any, *, before: int | None = None) -> Mention:
    """The subject as a speaker mention: a name or description the index knows, else the
    subject's own words ("the polls", "a new report"); ``before`` cuts off the relative
    clause of an antecedent."""
    s_lo, s_hi = extent(doc, subject)
    if before is not None:
        s_hi = trim_end(doc, s_lo, min(s_hi, before))
    marker = subject.right_edge
    if marker.dep_ == "case" and marker.head == subject:  # "the minister['s] decision"
        s_hi = trim_end(doc, s_lo, min(s_hi, marker.idx))
    found = noun_phrase(doc, index, s_lo, s_hi)
    head = subject.idx
    k = bisect.bisect_right(index.starts, head) - 1
    named = index.mentions[k] if k >= 0 and index.mentions[k].end > head else None
    if named is not None and named.kind != "unknown" and (found is None or found.end < named.end):
        # a name the index read whole ("China's Ministry of Foreign Affairs"), which the
        # phrase reader cut at "of"; the role and affiliation it read are kept
        whole = index.expand(named)
        if found is not None:
            whole = replace(whole, role=whole.role or found.role)
            whole = replace(whole, affiliation=whole.affiliation or found.affiliation)
        return whole
    if found is not None:
        return found
    head_lo = subject.idx
    lo = min(head_lo, *(c.idx for c in subject.lefts)) if list(subject.lefts) else head_lo
    hi = subject.idx + len(subject.text)
    return Mention(lo, hi, doc.text[lo:hi], "unknown")


def _reports(token: Any) -> bool:
    """A reporting verb with a subject of its own ("while Biden said …")."""
    form = token.lower_
    return form in ALL_VERB_FORMS and token.pos_ == "VERB" and child(token, SUBJECTS) is not None
