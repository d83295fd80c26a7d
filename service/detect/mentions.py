"""Mentions of possible speakers: names, titles, descriptions and pronouns.

``NameIndex`` collects every capitalised name outside quotations once per article, so a
short form ("Mr Blinken", "Xi") can be expanded to the longest full name ("Antony
Blinken", "Xi Jinping") and a pronoun can be resolved to the nearest earlier person.
``noun_phrase`` chunks the words next to a reporting verb into a speaker ``Mention``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from claimstance.detect.cues import (
    FEMALE_WORDS,
    GOVERNMENT_WORDS,
    HONORIFICS,
    MALE_WORDS,
    MEDIA_WORDS,
    NON_PERSON_WORDS,
    NOT_NAME_WORDS,
    ORG_WORDS,
    SOURCE_NOUNS,
    TITLE_WORDS,
    words,
)
from claimstance.detect.doc import Doc, Token

CONNECTORS = frozenset(words("of de van von bin al la le da del der du y"))
_APPOS_AFFIL = frozenset(words("at of with for from"))


@dataclass(frozen=True)
class Mention:
    """A possible speaker in the text: ``start``/``end`` cover the surface form."""

    start: int
    end: int
    name: str
    kind: str  # person | organization | government | media | anonymous | pronoun | unknown
    role: str | None = None
    affiliation: str | None = None
    gender: str | None = None


def _strip_possessive(word: str) -> str:
    for suffix in ("’s", "'s", "’", "'"):
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)]
    return word


def _org_kind(words: list[str]) -> str | None:
    low = [w.lower() for w in words]
    joined = " ".join(low)
    if any(w in MEDIA_WORDS for w in low):
        return "media"
    if any(w in GOVERNMENT_WORDS for w in low) or joined in GOVERNMENT_WORDS:
        return "government"
    if any(w in ORG_WORDS for w in low) or (len(words) == 1 and words[0].isupper()):
        return "organization"
    return None


def gender_of(words: list[str]) -> str | None:
    low = {w.lower().rstrip(".") for w in words}
    if low & MALE_WORDS:
        return "m"
    if low & FEMALE_WORDS:
        return "f"
    return None


class NameIndex:
    """Every capitalised name outside quotations, with full-name lookup."""

    def __init__(self, doc: Doc, *, quoted: bool = False) -> None:
        self.doc = doc
        #: Also names inside quotations (stance targets); speakers are named outside them.
        self.quoted = quoted
        self.mentions: list[Mention] = []
        self._full: dict[str, list[tuple[int, str]]] = {}  # last token -> (pos, full name)
        self._first: dict[str, list[tuple[int, str]]] = {}  # first token -> (pos, name)
        self.roles: dict[str, tuple[str | None, str | None]] = {}
        self.genders: dict[str, str] = {}
        self._canon_cache: dict[str, tuple[list[int], list[str], str] | None] = {}
        self._collect()
        self._read_appositions()
        self.mentions.sort(key=lambda m: m.start)
        self._starts = [m.start for m in self.mentions]
        self._persons = [m for m in self.mentions if self.is_person(m)]
        self._person_starts = [m.start for m in self._persons]

    def _collect(self) -> None:
        toks = self.doc.tokens
        i, n = 0, len(toks)
        while i < n:
            if not (toks[i].is_word and toks[i].is_cap) or self._skip(toks[i].start):
                i += 1
                continue
            j = i + 1
            while j < n:
                t = toks[j]
                gap = self.doc.text[toks[j - 1].end : t.start]
                if "\n" in gap or len(gap) > 1 or self._skip(t.start):
                    break
                if (
                    (t.is_word and t.is_cap)
                    or (t.text == "." and gap == "" and self._name_stop(toks[j - 1].text, t))
                    or (t.lower in CONNECTORS and j + 1 < n and toks[j + 1].is_cap)
                ):
                    j += 1
                else:
                    break
                if _strip_possessive(toks[j - 1].text) != toks[j - 1].text:
                    break
            m = self.make_name(toks[i:j])
            if m is not None:
                self._add(m)
            i = j

    def _name_stop(self, before: str, dot: Token) -> bool:
        """A full stop inside a name: after an abbreviation, or an initial the name goes
        on after (``Doc.name_stop``: "Malcolm X. Critics said" is two sentences)."""
        if len(before) == 1 and before.isupper():
            return self.doc.name_stop(dot.start)
        return _is_abbrev_token(before)

    def _skip(self, pos: int) -> bool:
        return not self.quoted and self.doc.in_quote(pos)

    @property
    def starts(self) -> list[int]:
        """Start offsets of :attr:`mentions`, which are in text order."""
        return self._starts

    def _read_appositions(self) -> None:
        """Roles the article states anywhere: "Wang Yi, China's foreign minister, arrived"
        gives Wang Yi a role even where he is quoted as just "Wang"."""
        text = self.doc.text
        for m in self.mentions:
            if m.kind != "person" or len(m.name.split()) < 2 or m.name in self.roles:
                continue
            found = _APPOSITION.match(text, m.end)
            if found is None or self.doc.in_quote(found.start(1)):
                continue
            first = found.group(1).split()[0]
            role_like = first.lower() in ("a", "an", "the") or first.lower() in TITLE_WORDS
            if not (role_like or _strip_possessive(first) != first):
                continue  # "Biden, Xi and Putin", "Smith, however,": not a role
            toks = self.doc.tokens_in(found.start(1), found.end(1))
            role, affiliation = role_affiliation(toks)
            if role is not None:
                self.roles[m.name] = (role, affiliation)

    def make_name(self, toks: list[Token]) -> Mention | None:
        """A name mention from a run of capitalised tokens (titles split off)."""
        common = self.doc.common_caps
        while toks and (
            _strip_possessive(toks[0].lower) in NOT_NAME_WORDS
            or toks[0].text in common
            or (toks[0].lower.endswith(("ing", "ly")) and toks[0].text in self.doc.initial_caps)
        ):
            toks = toks[1:]
        while toks and toks[-1].lower in CONNECTORS:
            toks = toks[:-1]
        if not toks:
            return None
        words = [t.text for t in toks if t.text != "."]
        if not words:  # "I." inside a quotation, the "I" stripped: no name
            return None
        affiliation, full = None, list(words)
        if len(words) > 2 and _is_acronym(words[0]) and words[1].lower() in TITLE_WORDS:
            # "UK Trade Secretary Paul Ames": the country is the affiliation
            affiliation, words = words[0], words[1:]
        if len(words) > 2 and _strip_possessive(words[0]) != words[0]:
            # "China's President Xi Jinping": the possessor is the affiliation
            affiliation, words = _strip_possessive(words[0]), words[1:]
        words[-1] = _strip_possessive(words[-1])
        full[-1] = words[-1]
        end = toks[-1].end - (len(toks[-1].text) - len(_strip_possessive(toks[-1].text)))
        org = _org_kind(words)
        k = 0
        while k < len(words) - 1 and (
            words[k].lower().rstrip(".") in HONORIFICS or words[k].lower() in TITLE_WORDS
        ):
            k += 1
        title_words, name_words = words[:k], words[k:]
        if len(title_words) > 1 and _is_acronym(title_words[0]) and affiliation is None:
            # "US Secretary of State Antony Blinken": the country is the affiliation
            affiliation, title_words = title_words[0], title_words[1:]
        if org is not None and _org_kind(name_words) is not None:
            return Mention(toks[0].start, end, " ".join(full), org)  # "China's Foreign Ministry"
        if len(name_words) == 1 and name_words[0].lower() in SOURCE_NOUNS:
            return Mention(toks[0].start, end, " ".join(words), "anonymous")
        role = " ".join(w for w in title_words if w.lower().rstrip(".") not in HONORIFICS) or None
        low = [w.lower() for w in name_words]
        plain = not (set(low) & NON_PERSON_WORDS) and not (set(low) & CONNECTORS)
        kind = "person" if (title_words or (1 < len(name_words) <= 4 and plain)) else "unknown"
        gender = gender_of(title_words)
        if role is None:
            affiliation = None  # a possessive before a plain name is no affiliation
        return Mention(
            toks[0].start,
            end,
            " ".join(name_words),
            kind,
            role=role,
            affiliation=affiliation,
            gender=gender,
        )

    def _add(self, m: Mention) -> None:
        self.mentions.append(m)
        words = m.name.split()
        if m.kind == "person" and len(words) > 1:
            self._full.setdefault(words[-1].lower(), []).append((m.start, m.name))
            self._first.setdefault(words[0].lower(), []).append((m.start, m.name))
        if m.role and m.kind == "person":
            self.roles.setdefault(m.name, (m.role, m.affiliation))
        if m.gender:
            self.genders.setdefault(m.name, m.gender)

    def _options(self, name: str) -> tuple[list[int], list[str], str] | None:
        """Full names ``name`` may stand for: positions, best-so-far, best overall."""
        if name in self._canon_cache:
            return self._canon_cache[name]
        words = name.split()
        key = words[-1].lower()
        options = self._full.get(key) or (self._first.get(key) if len(words) == 1 else None)
        result = None
        if options:
            options = [o for o in options if o[1].endswith(name) or len(words) == 1]
        if options:
            best_so_far: list[str] = []
            cur = options[0][1]
            for _, full in options:
                if len(full.split()) >= len(cur.split()):
                    cur = full
                best_so_far.append(cur)
            longest = max(len(o[1].split()) for o in options)
            overall = next(o[1] for o in options if len(o[1].split()) == longest)
            result = ([o[0] for o in options], best_so_far, overall)
        self._canon_cache[name] = result
        return result

    def canonical(self, name: str, pos: int) -> str:
        """The longest full name in the article that this short form refers to.

        Among the longest forms seen before ``pos`` the most recent wins; a form seen
        only later is used when none came before.
        """
        if not name.split():
            return name
        opts = self._options(name)
        if opts is None:
            return name
        positions, best_so_far, overall = opts
        i = bisect.bisect_right(positions, pos) - 1
        return best_so_far[i] if i >= 0 else overall

    def is_person(self, m: Mention) -> bool:
        if m.kind == "person":
            return True
        if m.kind != "unknown":
            return False
        return self.canonical(m.name, m.start) != m.name

    def persons_before(self, pos: int, limit: int = 400) -> list[Mention]:
        """Person mentions ending before ``pos``, nearest first."""
        k = bisect.bisect_left(self._person_starts, pos)
        return [m for m in reversed(self._persons[max(0, k - limit) : k]) if m.end <= pos]

    def resolve(self, pronoun: Mention) -> Mention | None:
        """The antecedent of a pronoun: nearest earlier compatible mention."""
        word = pronoun.name.lower()
        if word in ("he", "she"):
            want = "m" if word == "he" else "f"
            for m in self.persons_before(pronoun.start):
                g = m.gender or self.genders.get(self.canonical(m.name, m.start))
                if g is None or g == want:
                    return self.expand(m)
            return None
        k = bisect.bisect_left(self._starts, pronoun.start)
        for m in reversed(self.mentions[max(0, k - 60) : k]):
            if m.kind in ("organization", "government", "media"):
                return m
        return None

    def expand(self, m: Mention) -> Mention:
        """The mention with its canonical name and any role seen elsewhere."""
        if m.kind not in ("person", "unknown"):
            return m
        name = self.canonical(m.name, m.start)
        role, affil = self.roles.get(name, (None, None))
        kind = "person" if name != m.name or m.kind == "person" else m.kind
        return replace(
            m,
            name=name,
            kind=kind,
            role=m.role or role,
            affiliation=m.affiliation or affil,
            gender=m.gender or self.genders.get(name),
        )


#: ", the foreign minister," / ", an economist at Harvard," after a name.
_APPOSITION = re.compile(r",\s+([^,.;:()\n“”\"]{3,80}?),")


def _is_acronym(word: str) -> bool:
    """ "US", "U.S.", "UK", "EU": a country or union written as capitals."""
    letters = word.replace(".", "")
    return 2 <= len(letters) <= 4 and letters.isalpha() and letters.isupper()


def _is_abbrev_token(word: str) -> bool:
    low = word.lower()
    return low in HONORIFICS or (len(word) == 1 and word.isupper()) or "." in word


def role_affiliation(appos: list[Token]) -> tuple[str | None, str | None]:
    words = [t.text for t in appos if t.text not in "()"]
    if not words or len(words) > 16 or all(w.isdigit() for w in words):
        return None, None
    if words[0].lower() in ("who", "which", "that", "whose"):
        return None, None  # a relative clause, not a role
    if words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    if len(words) > 1 and words[0][:1].isupper() and _strip_possessive(words[0]) != words[0]:
        return " ".join(words[1:]), _strip_possessive(words[0])  # "China's foreign minister"
    for k, w in enumerate(words):
        if w.lower() not in _APPOS_AFFIL or k == 0:
            continue
        j = k + 1
        if j < len(words) and words[j].lower() in ("the", "a", "an"):
            j += 1
        if j < len(words) and words[j][0].isupper():
            return " ".join(words[:k]) or None, " ".join(words[j:])
    return " ".join(words) or None, None
