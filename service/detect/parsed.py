"""Reported speech read from a dependency parse (spaCy's ``en_core_web_sm`` pipeline).

The word-pattern rules of :mod:`.indirect` find "X said that …" and "…, X said"; a parse
also finds what they cannot see: a clause governed by a reporting verb far from its
subject, intentions and beliefs ("plans to …", "believes …"), contents that are noun
phrases ("called for more investment", "attacked the plan"), and "according to X" around
any clause. Each verb of the cue lexicon (:mod:`.cues`) that governs a complement gives a
draft: the complement's extent is the content, the verb (with its auxiliaries and
particle) the cue, and its subject the speaker phrase, read by :func:`.phrases.noun_phrase`.

The parser itself, its pinned build and its loading are :mod:`.parser`'s; without one, the
rules alone run and the pipeline says why in a warning.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any

from claimstance.detect.cuefind import Draft, widest_first
from claimstance.detect.cues import (
    CALL_FORMS,
    CLAIM_NOUNS,
    COGNITION_FORMS,
    CONTENT_OBJECT_FORMS,
    INTENTION_FORMS,
    PERSON_OBJECT_SENSE_FORMS,
    PLAIN_OBJECT_SENSE_FORMS,
    SPEECH_FORMS,
    STANCE_ONLY_FORMS,
    THING_OBJECT_SENSE_FORMS,
    TOPIC_PREPOSITIONS,
)
from claimstance.detect.doc import Doc
from claimstance.detect.mentions import Mention, NameIndex, gender_of
from claimstance.detect.parser import MAX_PARSE_CHARS, load_parser, parse
from claimstance.detect.phrases import noun_phrase
from claimstance.detect.tree import (
    SUBJECTS,
    child,
    extent,
    passive,
    skip_edge,
    subject,
    trim_end,
    within_sentence,
    words,
)

#: A content shorter than this many words is not a claim ("said so", "denied it").
MIN_WORDS = 3

_POSSESSIVE_PRONOUNS = {"his": "he", "her": "she", "their": "they", "its": "it"}
_ARGUMENT_PREPOSITIONS = frozenset({"to", "of", "with", "about", "against", "over"})
_JOINED_CLAUSES = frozenset({"conj", "advcl", "parataxis"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_CLAUSES = ("ccomp",)
_INFINITIVES = ("xcomp",)


@dataclass
class Reading:
    """What the parse says: reported clauses, and cue words used in another sense."""

    drafts: list[Draft] = field(default_factory=list)
    #: Start offsets of lexicon verbs that report nothing here: "called her counterpart"
    #: (telephoned), "the alleged abuses" (an adjective), "told the story".
    not_cues: set[int] = field(default_factory=set)
    #: Start offsets of verbs with a tense (a noun phrase holding one is no speaker).
    finite_verbs: list[int] = field(default_factory=list)


def read_parse(doc: Doc, index: NameIndex) -> Reading | None:
    """Drafts for every reported clause the parse shows; None without a parser."""
    nlp = load_parser()
    if nlp is None or len(doc.text) > MAX_PARSE_CHARS:
        return None
    reading = Reading()
    for token in parse(nlp, doc):
        draft = _according(doc, index, token) if token.lower_ == "according" else None
        if draft is None and token.pos_ in ("VERB", "AUX"):
            draft = _governed(doc, index, token)
        elif draft is None and token.pos_ == "NOUN" and token.lower_ in CLAIM_NOUNS:
            draft = _nominal(doc, index, token)
        if draft is not None and (
            words(doc, draft.start, draft.end) >= MIN_WORDS or draft.rule == "parse:named-object"
        ):
            reading.drafts.append(draft)
        elif draft is None and _other_sense(token):
            reading.not_cues.add(token.idx)
        if token.pos_ in ("VERB", "AUX") and token.tag_ in _FINITE_TAGS:
            reading.finite_verbs.append(token.idx)
    # one claim per extent: where a reported clause holds another attribution ("X said Y
    # pledged to Z"), the outer one is kept; claims never overlap
    reading.drafts = widest_first(reading.drafts)
    return reading


def _other_sense(token: Any) -> bool:
    """A reporting verb's form that reports nothing in this sentence: a modifier ("the
    alleged abuses"), or a verb with another sense when it has a plain object and no
    complement: "called her counterpart" (telephoned), "told the story" (narrated).
    Other speech verbs with a plain object report it ("noted the remarks")."""
    form = token.lower_
    lexical = form in SPEECH_FORMS or form in COGNITION_FORMS or form in PLAIN_OBJECT_SENSE_FORMS
    if not lexical:
        return False
    if token.dep_ in ("amod", "compound") or token.tag_ == "JJ":
        return True
    if form not in PLAIN_OBJECT_SENSE_FORMS:
        return False
    deps = {c.dep_ for c in token.children}
    if deps & {"ccomp", "xcomp", "oprd", "parataxis", "dative"}:
        return False
    if any(_topic_preposition(token, form) is c for c in token.children):
        return False  # "called for …", "spoke of …"
    objects = [c for c in token.children if c.dep_ == "dobj"]
    if not objects:
        return False
    people = [o.pos_ in ("PRON", "PROPN") for o in objects]
    if form in THING_OBJECT_SENSE_FORMS:  # a person told is an audience, a thing a story
        return not any(people)
    if form in PERSON_OBJECT_SENSE_FORMS:  # a person questioned is interrogated
        return all(people)
    return True


def _governed(doc: Doc, index: NameIndex, verb: Any) -> Draft | None:
    """The complement a cue verb governs: a clause, an infinitive, or an object. A cue in
    the infinitive reports nothing yet ("ordered the company to deny that …", "is expected
    to announce that …")."""
    if verb.dep_ == "xcomp" or (
        verb.tag_ == "VB"
        and child(verb, ("aux",)) is not None
        and any(a.lower_ == "to" for a in verb.children)
    ):
        return None
    form = verb.lower_
    content, rule = None, ""
    cue_end = verb.idx + len(verb.text)
    lo: int | None = None  # where the content starts when not at its subtree's edge
    if form in SPEECH_FORMS or form in COGNITION_FORMS:
        content, rule = _clause(verb), "parse:clause"
        obj = child(verb, ("dobj",))
        if content is not None and obj is not None and child(content, SUBJECTS) is None:
            lo = obj.left_edge.idx  # "warned the quotas would hurt": the object is its subject
    if content is None and form in INTENTION_FORMS and not passive(verb):
        content, rule = child(verb, _INFINITIVES), "parse:infinitive"
    if content is None and form in CONTENT_OBJECT_FORMS:
        content, rule = child(verb, ("dobj",)), "parse:object"
        if content is not None and content.pos_ in ("PROPN", "PRON"):
            # a person or place as the object: a stance only for stance-only verbs ("the
            # union endorses Clinton"), not "attacked Ukraine" or "questioned Smith"
            named = content.pos_ == "PROPN" and form in STANCE_ONLY_FORMS
            content, rule = (content, "parse:named-object") if named else (None, "")
    if content is None and form in SPEECH_FORMS:
        prep = _topic_preposition(verb, form)
        if prep is not None:
            content, rule = child(prep, ("pobj",)), "parse:preposition"
            cue_end = prep.idx + len(prep.text)
    if content is None:
        return None
    c_lo, c_hi = extent(doc, content)
    c_hi = _before_new_clause(doc, content, c_lo, c_hi)
    if rule in ("parse:object", "parse:named-object"):
        c_hi = _with_arguments(doc, verb, content, c_hi)
    start, end = within_sentence(doc, c_lo if lo is None else lo, c_hi, anchor=verb.idx)
    if start >= end:
        return None
    found = subject(verb)
    if found is None:
        return None  # no one to attribute it to: an imperative, a passive, a parse error
    subj, antecedent = found
    # auxiliaries after the subject belong to the cue ("has indicated"), not inverted ones
    auxiliaries = [a.idx for a in verb.children if a.dep_ in ("aux", "auxpass") and a.i > subj.i]
    cue_start = min([verb.idx, *auxiliaries])
    if cue_start < end and start < cue_end:
        return None  # the cue inside its own content: a parse error
    d = Draft(start, end, [(start, end)], "indirect", rule=rule)
    d.cue = (cue_start, cue_end)
    if antecedent is None:
        d.speaker = _speaker(doc, index, subj)
    else:  # the mention is the pronoun, the source the noun it stands for
        source = _speaker(doc, index, antecedent, before=subj.idx)
        end_at = subj.idx + len(subj.text)
        d.speaker = replace(source, start=subj.idx, end=end_at)
    return d


def _before_new_clause(doc: Doc, head: Any, lo: int, hi: int) -> int:
    """Cut a content before a clause with a subject of its own that is joined to it rather
    than part of what is reported: "fathers would not be eligible[, and when pressed, the
    mother replied otherwise]", "China will not back down[, while Biden said …]"."""
    for c in head.children:
        if c.i <= head.i or c.dep_ not in _JOINED_CLAUSES:
            continue
        if child(c, SUBJECTS) is not None and (c.dep_ == "conj" or _reports(c)):
            cut = min(t.idx for t in c.subtree)
            cc = [t.idx for t in head.children if t.dep_ in ("cc", "punct") and head.i < t.i < c.i]
            cut = min([cut, *cc])
            return trim_end(doc, lo, min(hi, cut))
    return hi


def _with_arguments(doc: Doc, verb: Any, obj: Any, hi: int) -> int:
    """An object's extent with the verb's argument phrases right after it ("rejects the
    merger with the rival club", "China's claim to the island"), not its adjuncts of time
    or place ("on Monday", "in the capital")."""
    for c in verb.children:
        if c.i <= obj.i or c.dep_ != "prep" or c.lower_ not in _ARGUMENT_PREPOSITIONS:
            continue
        if doc.text[hi : c.idx].strip():
            break  # not right after the object
        hi = trim_end(doc, hi, c.right_edge.idx + len(c.right_edge.text))
    return hi


def _topic_preposition(verb: Any, form: str) -> Any | None:
    """ "spoke of", "warned about", "called for": the preposition whose object is the content."""
    for c in verb.children:
        if c.dep_ != "prep" or not 0 < c.i - verb.i <= 2:  # "spoke often about"
            continue
        if c.lower_ in TOPIC_PREPOSITIONS or (c.lower_ == "for" and form in CALL_FORMS):
            return c
    return None


def _nominal(doc: Doc, index: NameIndex, noun: Any) -> Draft | None:
    """ "his claim that …", "the ministry's warning that …": a claim noun with a "that"
    clause and a possessor, who is the source."""
    clause = next((c for c in noun.children if _that_clause(noun, c)), None)
    owner = child(noun, ("poss",))
    if clause is None or owner is None:
        return None
    c_lo, c_hi = extent(doc, clause)
    start, end = within_sentence(
        doc, c_lo, _before_new_clause(doc, clause, c_lo, c_hi), anchor=noun.idx
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
        d.speaker = _speaker(doc, index, owner)
    return d


def _that_clause(noun: Any, c: Any) -> bool:
    if c.dep_ not in ("acl", "ccomp") or c.i < noun.i:
        return False
    return any(m.lower_ == "that" and m.dep_ == "mark" for m in c.children)


def _according(doc: Doc, index: NameIndex, token: Any) -> Draft | None:
    """``According to X, CLAUSE`` / ``CLAUSE, according to X``: the clause is the content."""
    to = next((c for c in token.children if c.lower_ == "to"), None)
    if to is None:
        return None
    source = child(to, ("pobj",))
    clause = token.head
    if source is None or clause is token:
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
    lo, hi = within_sentence(doc, lo, _before_new_clause(doc, clause, lo, hi), anchor=token.idx)
    if lo >= hi or any(lo <= t.idx < hi and _reports(t) for t in clause.subtree):
        return None  # another cue inside: its own claim, not the source's
    d = Draft(lo, hi, [(lo, hi)], "indirect", rule="parse:according")
    d.cue = (token.idx, to.idx + len(to.text))
    d.speaker = _speaker(doc, index, source)
    return d


def _speaker(doc: Doc, index: NameIndex, subject: Any, *, before: int | None = None) -> Mention:
    """The subject as a speaker mention: a name or description the index knows, else the
    subject's own words ("the polls", "a new report"); ``before`` cuts off the relative
    clause of an antecedent."""
    s_lo, s_hi = extent(doc, subject)
    if before is not None:
        s_hi = trim_end(doc, s_lo, min(s_hi, before))
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
    lexical = form in SPEECH_FORMS or form in COGNITION_FORMS
    return lexical and token.pos_ == "VERB" and child(token, SUBJECTS) is not None


def _clause(verb: Any) -> Any | None:
    """The clause a verb governs: the first one after it ("warn [companies are …]"), else
    one before it ("[the economy is strong], he said")."""
    clauses = [c for c in verb.children if c.dep_ in _CLAUSES]
    after = [c for c in clauses if c.i > verb.i]
    return after[0] if after else (clauses[-1] if clauses else None)
