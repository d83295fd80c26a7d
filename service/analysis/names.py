"""The structure of a speaker's name, for matching sources across articles.

A person's name is read as tokens: leading titles and honorifics ("US Secretary of State",
"Mr") and a possessive prefix ("Cornell University's") are set aside, what remains is the
name core ("Antony Blinken"); its last token is the surname, the tokens before it the given
names. Organisations are compared by a normalised key (case, accents, quotation marks,
dots in acronyms and a leading "the" folded). Nothing here knows any particular name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from claimstance.detect.cues import DETERMINERS, HONORIFICS, SOURCE_NOUNS, TITLE_WORDS, words

#: Lower-case words allowed inside a name ("Ursula von der Leyen", "Mohammed bin Salman").
CONNECTORS = frozenset(words("of de van von der den bin al la le da del du y"))
#: Generational suffixes after a surname ("Martin Luther King Jr."): not the surname.
SUFFIXES = frozenset(words("jr sr ii iii iv"))
_POSSESSIVE = re.compile(r"^(.+?)(?:['’]s|s['’])$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})


@functools.lru_cache(maxsize=1 << 16)  # a corpus repeats the same few thousand tokens
def fold(word: str) -> str:
    """A token for comparison: accents, case, apostrophes, dashes and dots folded."""
    word = unicodedata.normalize("NFKD", word.translate(_APOSTROPHES))
    word = "".join(c for c in word if not unicodedata.combining(c))
    return word.casefold().replace(".", "").replace("-", "").strip(",;:'\"()")


def is_initial(token: str) -> bool:
    """ "A", "A." or "J.K." style: one letter (or dotted letters), not a word."""
    bare = token.replace(".", "")
    return 0 < len(bare) <= 2 and bare.isalpha() and (len(bare) == 1 or "." in token)


def _is_capitalised(token: str) -> bool:
    for c in token:
        if c.isalpha():
            return c.isupper()
    return False


def _is_title(token: str) -> bool:
    word = fold(token)
    return word in TITLE_WORDS or word in HONORIFICS


@dataclass(frozen=True)
class PersonName:
    """A person's name split into its parts; tokens keep their surface form."""

    tokens: tuple[str, ...]  # the name core, e.g. ("Antony", "Blinken")
    title: str | None  # what stood before it, e.g. "US Secretary of State"
    suffix: str | None = None  # a generational suffix after the surname: "Jr.", "III"

    @functools.cached_property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(t) for t in self.tokens)

    @property
    def surname(self) -> str:
        return self.folded[-1]

    @property
    def given(self) -> tuple[str, ...]:
        return self.folded[:-1]

    @property
    def full(self) -> bool:
        """More than one token: a full name, not a bare surname."""
        return len(self.tokens) > 1

    @property
    def text(self) -> str:
        name = " ".join(self.tokens)
        return f"{name} {self.suffix}" if self.suffix else name


def person_name(name: str) -> PersonName | None:
    """The name core of a person's name, or None when it names nobody ("the official").

    Read from the end, after a generational suffix ("Jr."): the last token is kept
    (surnames such as "King" or "Major" are also title words), then capitalised tokens
    that are not title words, with connectors inside. A possessive ends the name's
    prefix ("Cornell University's Carlson").
    """
    tokens = name.split()
    suffix = None
    if len(tokens) > 1 and fold(tokens[-1]) in SUFFIXES:
        suffix = tokens.pop()
        tokens[-1] = tokens[-1].rstrip(",")
    for i in range(len(tokens) - 2, -1, -1):
        if _POSSESSIVE.match(tokens[i].translate(_APOSTROPHES)):
            tokens = tokens[i + 1 :]
            break
    if not tokens or not _is_capitalised(tokens[-1]) or fold(tokens[-1]) in SOURCE_NOUNS:
        return None
    if all(_is_title(t) or not _is_capitalised(t) for t in tokens):
        return None  # "President", "Prime Minister": a title, not a name
    start = len(tokens) - 1
    while start > 0:
        before = tokens[start - 1]
        inside = fold(before) in CONNECTORS and start > 1
        inside = inside and (
            _is_capitalised(tokens[start - 2]) or fold(tokens[start - 2]) in CONNECTORS
        )
        if not inside and (not _is_capitalised(before) or _is_title(before)):
            break
        start -= 1
    while start < len(tokens) - 1 and fold(tokens[start]) in CONNECTORS:
        start += 1
    core = tuple(tokens[start:])
    if any(fold(t) in DETERMINERS and not is_initial(t) for t in core):
        return None
    prefix = " ".join(t for t in tokens[:start] if fold(t) not in DETERMINERS)
    return PersonName(core, prefix or None, suffix)


def _token_compatible(a: str, b: str) -> bool:
    """Same token, or an initial of the other ("A" and "antony")."""
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[:1] == b[:1]
    return False


def given_compatible(a: PersonName, b: PersonName) -> bool:
    """Could two full names with one surname be one person? First given names agree
    (equal, or one an initial of the other); middle names agree when both have them
    ("George W. Bush" and "George Bush" may be one; "George H. W. Bush" and "George W.
    Bush" are not)."""
    if a.surname != b.surname or not a.given or not b.given:
        return False
    if not _token_compatible(a.given[0], b.given[0]):
        return False
    middle_a, middle_b = a.given[1:], b.given[1:]
    if middle_a and middle_b:
        return len(middle_a) == len(middle_b) and all(
            _token_compatible(x, y) for x, y in zip(middle_a, middle_b, strict=True)
        )
    return True


@functools.lru_cache(maxsize=1 << 14)
def org_key(name: str) -> str:
    """A normalised organisation name: "The U.S. State Department" -> "us state department"."""
    words = [fold(w) for w in name.split()]
    words = [w for w in words if w]
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def slug(name: str) -> str:
    """An id from a name: lower-case ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text.replace("'", "")).strip("-") or "speaker"


def role_matches(title: str, role: str) -> bool:
    """A title phrase names a role when one contains the other as whole words
    ("Secretary" and "Secretary of State"; "Foreign Minister" and "Chinese Foreign Minister")."""
    a, b = f" {org_key(title)} ", f" {org_key(role)} "
    return a.strip() != "" and b.strip() != "" and (a in b or b in a)
