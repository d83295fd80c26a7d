"""Reported speech read from a dependency parse (spaCy's ``en_core_web_sm`` pipeline).

The word-pattern rules of :mod:`.indirect` find "X said that …" and "…, X said"; a parse
also finds what they cannot see: a clause governed by a reporting verb far from its
subject, intentions and beliefs ("plans to …", "believes …"), contents that are noun
phrases ("called for more investment", "attacked the plan"), and "according to X" around
any clause. Each verb of the cue lexicon (:mod:`.cues`) that governs a complement gives a
draft: the complement's extent is the content, the verb (with its auxiliaries and
particle) the cue, and its subject the speaker phrase, read by :func:`.phrases.noun_phrase`.
Constructions without a governing cue verb ("according to", "his claim that", "afraid
that", "endorsed by") are read by :mod:`.constructions`.

The parser itself, its pinned build and its loading are :mod:`.parser`'s; without one, the
rules alone run and the pipeline says why in a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claimstance.detect.constructions import (
    according,
    attitude,
    attributed,
    before_new_clause,
    by_agent,
    inverted,
    nominal,
    parenthetical,
)
from claimstance.detect.cuefind import Draft, widest_first
from claimstance.detect.cues import (
    ALL_VERB_FORMS,
    CALL_FORMS,
    COGNITION_FORMS,
    CONTENT_OBJECT_FORMS,
    INTENTION_FORMS,
    PERSON_OBJECT_SENSE_FORMS,
    PLAIN_OBJECT_SENSE_FORMS,
    SPEECH_FORMS,
    STANCE_ONLY_FORMS,
    THING_OBJECT_SENSE_FORMS,
    TOPIC_PREPOSITIONS,
    UNDONE_FORMS,
)
from claimstance.detect.doc import Doc
from claimstance.detect.mentions import NameIndex
from claimstance.detect.parser import MAX_PARSE_CHARS, load_parser, parse
from claimstance.detect.tree import (
    SUBJECTS,
    child,
    extent,
    marked_that,
    marked_to,
    passive,
    subject,
    trim_end,
    within_sentence,
    words,
)
from claimstance.text.glyphs import CLAUSE_DASHES

#: A content shorter than this many words is not a claim ("said so", "denied it").
MIN_WORDS = 3

_ARGUMENT_PREPOSITIONS = frozenset({"to", "of", "with", "about", "against", "over"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_CLAUSES = ("ccomp",)
_ASIDES = frozenset({"relcl", "appos", "acl"})
#: What sets off a writer's aside: a comma or a clause dash (spaCy keeps "--" as one token).
_ASIDE_MARKS = frozenset({",", "--", *CLAUSE_DASHES})
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
        draft = according(doc, index, token) if token.lower_ == "according" else None
        if draft is None and token.dep_ == "parataxis":
            draft = parenthetical(doc, index, token)
        if draft is None and token.pos_ == "ADJ" and token.dep_ == "acomp":
            draft = attitude(doc, index, token)
        if draft is None and token.pos_ == "VERB" and passive(token):
            draft = by_agent(doc, index, token)
        if draft is None and token.pos_ == "VERB":
            draft = inverted(doc, index, token)
        if draft is None and (token.pos_ in ("VERB", "AUX") or _verb_as_noun(token)):
            draft = _governed(doc, index, token)
        elif draft is None and token.pos_ == "NOUN":
            draft = nominal(doc, index, token)
        if draft is not None and (
            words(doc, draft.start, draft.end) >= MIN_WORDS
            or draft.rule in ("parse:named-object", "parse:by-agent")
            or (draft.rule == "parse:object" and words(doc, draft.start, draft.end) == 2)
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
    if any(_topic_preposition(token, form) == c for c in token.children):
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


def _verb_as_noun(token: Any) -> bool:
    """A verb the tagger took for a noun although it has a subject: "The campaign plans to
    …", "Obama, others vow consequences"."""
    return token.pos_ == "NOUN" and token.dep_ == "ROOT" and child(token, ("nsubj",)) is not None


def _reported_infinitive(verb: Any) -> bool:
    """A cue in the infinitive under a verb whose subject does it ("went on to explain how
    …", "tried to argue that …"). Under an object ("ordered the company to deny that …") or
    a passive ("is expected to announce that …") it reports nothing yet."""
    head = verb.head
    if verb.dep_ not in ("xcomp", "advcl") or head == verb or head.pos_ != "VERB":
        return False
    if verb.dep_ == "advcl" and not marked_to(verb):
        return False
    if head.lower_ in INTENTION_FORMS:  # "plans to say": the intention is the claim
        return False
    if head.lower_ in UNDONE_FORMS:  # "failed to mention that …": nothing was said
        return False
    return child(head, ("dobj", "dative")) is None and not passive(head)


def _governed(doc: Doc, index: NameIndex, verb: Any) -> Draft | None:
    """The complement a cue verb governs: a clause, an infinitive, or an object (see
    :func:`_reported_infinitive` for a cue that is itself an infinitive)."""
    infinitive = verb.dep_ == "xcomp" or (
        verb.tag_ == "VB" and child(verb, ("aux",)) is not None and marked_to(verb)
    )
    if infinitive and not _reported_infinitive(verb):
        return None
    form = verb.lower_
    content, rule = None, ""
    cue_end = verb.idx + len(verb.text)
    lo: int | None = None  # where the content starts when not at its subtree's edge
    if form in ALL_VERB_FORMS:
        content, rule = _clause(verb), "parse:clause"
        obj = child(verb, ("dobj",))
        if content is not None and obj is not None and child(content, SUBJECTS) is None:
            lo = obj.left_edge.idx  # "warned the quotas would hurt": the object is its subject
    if content is None and form in SPEECH_FORMS:
        content, lo = _instruction(verb)  # "told his advisers to find a way"
        rule = "parse:instruction"
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
    c_hi = before_new_clause(doc, content, c_lo, c_hi)
    if rule in ("parse:object", "parse:named-object", "parse:preposition"):
        c_hi = _before_aside(doc, content, c_lo, c_hi)
    if rule in ("parse:object", "parse:named-object"):
        c_hi = _with_arguments(doc, verb, content, c_hi)
    start, end = within_sentence(doc, c_lo if lo is None else lo, c_hi, anchor=verb.idx)
    if start >= end:
        return None
    found = subject(verb.head if infinitive else verb, speech=form in SPEECH_FORMS)
    if found is None:
        return None  # no one to attribute it to: an imperative, a passive, a parse error
    subj, antecedent = found
    # auxiliaries after the subject belong to the cue ("has indicated"), not inverted ones
    auxiliaries = [a.idx for a in verb.children if a.dep_ in ("aux", "auxpass") and a.i > subj.i]
    cue_start = min([verb.idx, *auxiliaries])
    if infinitive and verb.i - verb.head.i <= 3:  # "went on to explain", "tried to argue"
        cue_start = min(cue_start, verb.head.idx)
    if cue_start < end and start < cue_end:
        return None  # the cue inside its own content: a parse error
    d = Draft(start, end, [(start, end)], "indirect", rule=rule)
    d.cue = (cue_start, cue_end)
    d.speaker = attributed(doc, index, subj, antecedent)
    return d


def _instruction(verb: Any) -> tuple[Any | None, int | None]:
    """ "told his advisers to find a way", "warned officials to boost security": a speech
    verb's object and the infinitive it is told; (infinitive, where the content starts)."""
    to_do = next(
        (c for c in verb.children if c.dep_ == "xcomp" and marked_to(c)),
        None,
    )
    obj = child(verb, ("dobj",))
    if to_do is None or obj is None or not verb.i < obj.i < to_do.i:
        return None, None
    return to_do, obj.left_edge.idx


def _before_aside(doc: Doc, head: Any, lo: int, hi: int) -> int:
    """A noun-phrase content without what the writer adds after a comma or dash: a
    non-restrictive relative clause or apposition ("praised the proposals[, which include
    …]", "questioned committing to Scott[, who has never …]")."""
    if any(c.dep_ == "conj" and c.i > head.i for c in head.children):
        return hi  # "the proposals, which include …, and the budget": the aside is inside
    for c in head.children:
        if c.i <= head.i or c.dep_ not in _ASIDES or c.left_edge.i == 0:
            continue
        if c.dep_ == "appos" and c.pos_ == "PROPN":
            continue  # "his rival, Senator Jane Smith,": the name is who the content is
        before = c.left_edge.nbor(-1)
        if before.text in _ASIDE_MARKS:
            return trim_end(doc, lo, min(hi, before.idx))
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


def _clause(verb: Any) -> Any | None:
    """The clause a verb governs: the first one after it ("warn [companies are …]"), else
    one before it ("[the economy is strong], he said")."""
    clauses = [c for c in verb.children if c.dep_ in _CLAUSES]
    after = [c for c in clauses if c.i > verb.i]
    if after or clauses:
        return after[0] if after else clauses[-1]
    audience = child(verb, ("dobj", "dative"))
    if audience is None:
        return None
    # "told a meeting of island leaders that few people understood …": a "that" clause
    # the parser hung on the audience as a relative clause, which "that" as a conjunction
    # (not a pronoun) shows it is not
    return next((t for t in audience.subtree if t.dep_ == "relcl" and marked_that(t)), None)
