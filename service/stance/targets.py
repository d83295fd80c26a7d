"""The article's own candidate stance targets: the people, organisations and other names it
mentions, found deterministically and ranked by salience.

A small model asked "what is this about?" writes targets that are not in the article
("Anty Blinken", timestamps); a closed list of what the article names cannot. Every name
(inside quotations too: "Obama has failed" is about Obama) is read by the detector's name
reader (titles split off, "Mr Blinken" expanded to "Antony Blinken"), mentions of one
entity are merged under its longest full name, and the list is ranked by salience:
mentions, with a bonus for the headline and the first paragraph. A claim is judged toward
the targets it names (its speaker excepted), the most salient first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from claimstance.detect.cues import ALL_VERB_FORMS, words
from claimstance.detect.doc import Doc
from claimstance.detect.mentions import Mention, NameIndex
from claimstance.schemas.models import Span, Target, TargetKind
from claimstance.text.normalize import find_phrase, target_key

#: At most this many targets per claim; the article's list shows at most MAX_LISTED
#: besides those some claim was judged toward.
MAX_PER_CLAIM = 2
MAX_LISTED = 12
#: An entity named once is listed only when it is in the headline or a claim names it.
MIN_MENTIONS = 2
HEADLINE_BONUS = 2.0
LEAD_BONUS = 1.0
_KINDS: dict[str, TargetKind] = {
    "person": "person",
    "organization": "organization",
    "government": "organization",
    "media": "organization",
}
_WORD = re.compile(r"\w+")
_DEMONYM_ENDINGS = ("ese", "ian", "ish", "ean", "can", "ch")
_NEXT_WORD = re.compile(r" (\w+)")
#: Verbs the reporting-verb table does not hold: after these a capitalised word is a noun.
_AUXILIARIES = frozenset(words("is was has had will would can could does did says"))


@dataclass
class Entity:
    """One named entity of the article: all its mentions under one canonical name."""

    name: str
    kind: TargetKind
    mentions: list[tuple[int, int]] = field(default_factory=list)
    aliases: dict[str, None] = field(default_factory=dict)
    salience: float = 0.0
    #: Named at least twice, or in the headline.
    prominent: bool = False

    def named_in(self, pieces: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """This entity's mentions that lie inside one of ``pieces``."""
        return [(a, b) for a, b in self.mentions if any(lo <= a and b <= hi for lo, hi in pieces)]

    def to_target(self, text: str) -> Target:
        return Target(
            name=self.name,
            kind=self.kind,
            salience=round(self.salience, 3),
            aliases=list(self.aliases),
            mentions=[
                Span(text=text[a:b], start=a, end=b, alignment="detected") for a, b in self.mentions
            ],
        )

    def is_speaker(self, speaker: str) -> bool:
        """Whether ``speaker`` (a canonical speaker name) is this entity."""
        key = target_key(speaker)
        return key == target_key(self.name) or key in {target_key(a) for a in self.aliases}


def _kind(mention: Mention, index: NameIndex) -> TargetKind:
    if mention.kind in _KINDS:
        return _KINDS[mention.kind]
    return "person" if index.is_person(mention) else "topic"


def find_entities(text: str, doc: Doc | None = None) -> list[Entity]:
    """The article's named entities, most salient first."""
    doc = doc or Doc(text)
    index = NameIndex(doc, quoted=True)
    # A text of one paragraph has no headline; otherwise the first paragraph is one.
    headline_end = doc.paragraphs[0][1] if len(doc.paragraphs) > 1 else 0
    lead_end = doc.paragraphs[1][1] if len(doc.paragraphs) > 1 else len(text)
    entities: dict[str, Entity] = {}
    headline: list[Mention] = []
    for mention in index.mentions:
        if not _is_entity(mention, doc, index):
            continue
        if mention.start < headline_end or doc.in_layout(mention.start):
            headline.append(mention)  # title case names everything: only known entities
            continue
        _add(entities, index, mention, create=True)
    for mention in headline:
        _add(entities, index, mention, create=False)
    ranked: list[Entity] = []

    for entity in entities.values():
        entity.mentions = _located(text, entity)
        if not entity.mentions:
            continue
        first = entity.mentions[0][0]
        entity.salience = (
            len(entity.mentions)
            + (HEADLINE_BONUS if first < headline_end else 0.0)
            + (LEAD_BONUS if first < lead_end else 0.0)
        )
        entity.prominent = len(entity.mentions) >= MIN_MENTIONS or first < headline_end
        ranked.append(entity)
    ranked.sort(key=lambda e: (-e.salience, e.mentions[0][0]))
    return ranked


def listed(entities: Sequence[Entity], used: set[str]) -> list[Entity]:
    """The entities an Extraction lists: every one a stance was judged toward, and the
    most salient prominent others, up to :data:`MAX_LISTED`, in salience order."""
    shown = [e for e in entities if e.prominent][:MAX_LISTED]
    keep = {id(e) for e in shown} | {id(e) for e in entities if e.name in used}
    return [e for e in entities if id(e) in keep]


def _add(entities: dict[str, Entity], index: NameIndex, mention: Mention, *, create: bool) -> None:
    name = index.canonical(mention.name, mention.start)
    key = target_key(name)
    entity = entities.get(key)
    if entity is None:
        if not create:
            return
        entity = entities[key] = Entity(name, _kind(mention, index))
    entity.mentions.append((mention.end - len(mention.name), mention.end))
    entity.aliases[mention.name] = None


def _is_entity(mention: Mention, doc: Doc, index: NameIndex) -> bool:
    """A name that can be a target: not a pronoun or unnamed source, not a dateline or
    agency tag in capitals at a line's start or in brackets ("SHANGHAI", "(REUTERS)"),
    not a nationality used as an adjective ("Chinese firms", "US-China ties"; "Hatch
    said" is a name: a verb follows)."""
    name = mention.name
    if mention.kind in ("anonymous", "pronoun") or not _WORD.search(name):
        return False
    letters = name.replace(" ", "").replace(".", "")
    if letters.isupper() and len(letters) > 4:
        before = doc.text[max(0, mention.start - 1) : mention.start]
        if before in ("", "\n", "("):
            return False
    if " " in name or index.is_person(mention):
        return True
    if name.endswith(_DEMONYM_ENDINGS) or "-" in name:
        following = _NEXT_WORD.match(doc.text, mention.end)
        if following and following.group(1).islower():
            return following.group(1) in ALL_VERB_FORMS or following.group(1) in _AUXILIARIES
    return True


def _located(text: str, entity: Entity) -> list[tuple[int, int]]:
    """The entity's mentions whose offsets hold the alias exactly (titles were split off
    the front of a mention, so its surface name ends where the mention ends)."""
    found = sorted({(a, b) for a, b in entity.mentions if a >= 0 and text[a:b] in entity.aliases})
    entity.aliases = {text[a:b]: None for a, b in found}
    return found


def claim_targets(
    entities: Iterable[Entity], pieces: Sequence[tuple[int, int]], speaker: str
) -> list[tuple[Entity, list[tuple[int, int]]]]:
    """The entities a claim names, with those mentions, most salient first; never the
    claim's own speaker, at most :data:`MAX_PER_CLAIM`."""
    chosen = []
    for entity in entities:
        inside = entity.named_in(pieces)
        if inside and not entity.is_speaker(speaker):
            chosen.append((entity, inside))
    return chosen[:MAX_PER_CLAIM]


def given_target(text: str, name: str) -> Target:
    """A requested target, with wherever the article names it as whole words (case,
    quotes, dashes and spacing folded)."""
    mentions = [
        Span(text=text[a:b], start=a, end=b, alignment="normalized")
        for a, b in find_phrase(text, name)
    ]
    return Target(name=name, kind="given", mentions=mentions)
