"""The per-article speaker registry: every way the article refers to one source.

"Blinken", "Mr Blinken", "Antony Blinken", "the top US diplomat" and "he" become one
canonical speaker, with the role and affiliation the article gives and every mention
located in the raw text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from claimstance.detect.cues import SOURCE_NOUNS
from claimstance.schemas.models import Span, SpeakerKind, SpeakerProfile

UNKNOWN = "unknown"
_HONORIFICS = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "dame",
    "lord",
    "madam",
    "mx",
    "president",
    "secretary",
    "minister",
    "senator",
    "sen",
    "rep",
    "gov",
    "governor",
    "general",
    "gen",
    "ambassador",
    "chairman",
    "premier",
    "vice",
    "prime",
    "state",
    "foreign",
    "treasury",
    "defense",
    "defence",
    "spokesman",
    "spokeswoman",
    "spokesperson",
}
_PRONOUNS = {"he", "she", "they", "it", "him", "her", "his", "we", "i"}


@functools.lru_cache(maxsize=8192)  # names repeat within and across articles
def _fold(name: str) -> str:
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def name_tokens(name: str) -> list[str]:
    """Lower-cased name tokens without leading honorifics and titles ("Mr", "President")."""
    tokens = _fold(name).split()
    while len(tokens) > 1 and tokens[0] in _HONORIFICS:
        tokens.pop(0)
    return tokens


def slug(name: str) -> str:
    return "-".join(name_tokens(name)) or UNKNOWN


@dataclass
class SpeakerDraft:
    """What one claim says about its speaker, before the registry merges them."""

    name: str
    mention: Span | None = None
    role: str | None = None
    affiliation: str | None = None
    kind: SpeakerKind = "person"


@dataclass
class _Cluster:
    names: list[str] = field(default_factory=list)
    drafts: list[SpeakerDraft] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        return name_tokens(self.canonical)

    @property
    def canonical(self) -> str:
        if self.drafts and all(_is_description(d) for d in self.drafts):
            # an unnamed source: its fullest description, without "a"/"the" or a trailing
            # "briefing reporters" ("senior State Department official")
            cores = [" ".join(_description_words(n)) for n in self.names]
            return max(cores, key=lambda c: (len(c.split()), c))
        return max(self.names, key=lambda n: (len(name_tokens(n)), len(n), n))


def _is_unknown(name: str) -> bool:
    return not name_tokens(name) or _fold(name) in {UNKNOWN, "none", "n a", "anonymous"}


def _same_source(short: list[str], long: list[str]) -> bool:
    """'blinken' ~ 'antony blinken'; 'xi' ~ 'xi jinping' (Chinese family name first)."""
    if not short or not long or len(short) > len(long):
        return False
    return bool(long[-len(short) :] == short or long[: len(short)] == short)


#: Determiners that open a description: a definite one refers back, an indefinite one
#: introduces a new source ("a senior official" … "the official" is the same person;
#: "a senior official" … "another official" are two).
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_INDEFINITE = frozenset({"a", "an", "another", "one", "other", "some", "several", "two"})


def _is_description(draft: SpeakerDraft) -> bool:
    """An unnamed source ("the official", "a State Department spokesperson", "officials"):
    so the detector marks it, or (from a model) a determiner before lower-case words."""
    if draft.kind == "anonymous":
        return True
    words = draft.name.split()
    if not words or words[0].lower() not in _DEFINITE | _INDEFINITE:
        return False
    return draft.kind in ("person", "unknown") and not any(w[:1].isupper() for w in words[1:])


_MODIFIER_STOPS = frozenset({"who", "which", "that", "quoted", "cited", "told"})


def _description_words(name: str) -> list[str]:
    """The words that say who a description is, without determiners or trailing
    modifiers: "a senior State Department official briefing reporters" -> senior, State,
    Department, official."""
    core: list[str] = []
    for word in name.split():
        token = _fold(word)
        if not core and (token in _DEFINITE or token in _INDEFINITE):
            continue
        participle = (
            bool(core)
            and token.endswith("ing")
            and len(token) > 4
            and _fold(core[-1]) in SOURCE_NOUNS
        )
        if core and (token in _MODIFIER_STOPS or participle):
            break  # "official briefing reporters", but "a senior banking official" stays
        core.append(word)
    return core or name.split()


def _description_core(name: str) -> list[str]:
    """:func:`_description_words`, folded for comparison."""
    return [t for w in _description_words(name) for t in _fold(w).split()]


def _refers_to(definite: list[str], cluster: _Cluster) -> bool:
    """A definite description refers back to a source described with the same head noun
    and at least its own modifiers ("the senior official" ~ "a senior Chinese official")."""
    for name in cluster.names:
        core = _description_core(name)
        if core and core[-1] == definite[-1] and set(definite) <= set(core):
            return True
    return False


def _without_article(tokens: list[str]) -> list[str]:
    return tokens[1:] if tokens[:1] == ["the"] and len(tokens) > 1 else tokens


def _is_joint(tokens: list[str]) -> bool:
    """ "The US and China": a joint source, never one of its members."""
    return "and" in tokens[1:-1]


class SpeakerRegistry:
    """Collects speaker drafts, then resolves them into canonical profiles.

    Named sources join when one name is a short form of the other ("Blinken" ~ "Antony
    Blinken"). An unnamed source is never joined by its description alone: a definite
    description ("the official") refers to the nearest earlier source whose description
    has the same head noun ("a senior State Department official"), an indefinite one
    ("an official", "other officials") is a new source, and a bare plural ("analysts")
    joins only the same words. A joint source ("the US and China") is its own speaker.
    Ids are unique per source: a second distinct "the-official" becomes "the-official-2".
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._drafts: list[SpeakerDraft] = []
        self._resolved: tuple[list[_Cluster], dict[int, _Cluster], dict[int, str]] | None = None
        self._unknown = _Cluster(names=["unknown"])

    def add(self, draft: SpeakerDraft) -> None:
        self._drafts.append(draft)
        self._resolved = None

    def id_for(self, draft: SpeakerDraft) -> str:
        """The id of the source this (added) draft was resolved to."""
        _, of_draft, ids = self._resolve()
        cluster = of_draft.get(id(draft))
        return UNKNOWN if cluster is None else ids[id(cluster)]

    def profiles(self) -> list[SpeakerProfile]:
        clusters, _, ids = self._resolve()
        profiles = [self._profile(c, ids[id(c)]) for c in clusters]
        if self._unknown.drafts:
            profiles.append(self._profile(self._unknown, UNKNOWN))
        return sorted(profiles, key=lambda p: p.mentions[0].start if p.mentions else 10**12)

    def _resolve(self) -> tuple[list[_Cluster], dict[int, _Cluster], dict[int, str]]:
        if self._resolved is not None:
            return self._resolved
        self._unknown.drafts = []
        clusters: list[_Cluster] = []
        of_draft: dict[int, _Cluster] = {}
        last_seen: dict[int, int] = {}  # cluster -> position of its latest mention so far
        order = sorted(
            enumerate(self._drafts),
            key=lambda item: (item[1].mention.start if item[1].mention else 10**12, item[0]),
        )
        for _, draft in order:
            if _is_unknown(draft.name):
                self._unknown.drafts.append(draft)
                continue
            pos = draft.mention.start if draft.mention else 10**12
            cluster = self._find(clusters, last_seen, draft, pos)
            if cluster is None:
                cluster = _Cluster()
                clusters.append(cluster)
            cluster.names.append(draft.name)
            cluster.drafts.append(draft)
            of_draft[id(draft)] = cluster
            last_seen[id(cluster)] = pos
        ids: dict[int, str] = {}
        used = {UNKNOWN}
        for cluster in clusters:  # in order of first mention
            described = all(_is_description(d) for d in cluster.drafts)
            base = "-".join(_fold(cluster.canonical).split()) if described else ""
            base = base or slug(cluster.canonical)
            candidate, n = base, 1
            while candidate in used:  # "the-official-2"; never the unknown speaker's id
                n += 1
                candidate = f"{base}-{n}"
            used.add(candidate)
            ids[id(cluster)] = candidate
        self._resolved = (clusters, of_draft, ids)
        return self._resolved

    @staticmethod
    def _find(
        clusters: list[_Cluster], last_seen: dict[int, int], draft: SpeakerDraft, pos: int
    ) -> _Cluster | None:
        tokens = _fold(draft.name).split()
        if _is_description(draft):
            if tokens[0] in _INDEFINITE:
                return None
            if tokens[0] in _DEFINITE:
                core = _description_core(draft.name)
                if not core:
                    return None
                earlier = [c for c in clusters if last_seen.get(id(c), 10**12) <= pos]
                for cluster in sorted(earlier, key=lambda c: -last_seen[id(c)]):
                    if _refers_to(core, cluster):
                        return cluster
                return None
            return next((c for c in clusters if _fold(c.canonical) == _fold(draft.name)), None)
        tokens = name_tokens(draft.name)
        for cluster in clusters:
            if any(_is_description(d) for d in cluster.drafts):
                continue
            other = cluster.tokens
            if _is_joint(tokens) or _is_joint(other):
                if _without_article(tokens) == _without_article(other):
                    return cluster  # "The US and China" ~ "US and China"
                continue
            if _same_source(tokens, other) or _same_source(other, tokens):
                return cluster
        return None

    def _profile(self, cluster: _Cluster, speaker_id: str) -> SpeakerProfile:
        canonical = cluster.canonical
        is_unknown = cluster is self._unknown
        mentions = [d.mention for d in cluster.drafts if d.mention is not None]
        kind = "unknown" if is_unknown else _kind(cluster.drafts)
        if kind == "person":  # "China" or "the ministry" in running text is no mention
            mentions += self._name_mentions(cluster)
        unique = _non_overlapping(mentions)
        forms = sorted({m.text for m in unique} | set(cluster.names) - {canonical})
        aliases = sorted({form.casefold(): form for form in forms}.values())  # "He" ~ "he"
        return SpeakerProfile(
            id=speaker_id,
            name="unknown" if is_unknown else canonical,
            role=_most_common(d.role for d in cluster.drafts),
            affiliation=_most_common(d.affiliation for d in cluster.drafts),
            kind=kind,
            aliases=[a for a in aliases if a != canonical],
            mentions=unique,
        )

    def _name_mentions(self, cluster: _Cluster) -> list[Span]:
        """Occurrences of the full name and of its last (or Chinese first) token."""
        forms = {n for n in cluster.names if _fold(n) not in _PRONOUNS}
        tokens = cluster.canonical.split()
        if len(tokens) > 1 and not _is_joint(cluster.tokens):  # "Xi" is not "Biden and Xi"
            forms.update({tokens[-1], tokens[0]} - {t for t in tokens if t.lower() in _HONORIFICS})
        found: list[Span] = []
        for form in sorted(forms, key=len, reverse=True):
            if len(form) < 2 or not form[:1].isupper():
                continue
            if form == tokens[0] and len(tokens) > 1 and not self._surname_first(cluster):
                continue
            pattern = re.compile(rf"(?<![\w]){re.escape(form)}(?![\w])")
            found += [
                Span(text=m.group(), start=m.start(), end=m.end())
                for m in pattern.finditer(self._text)
            ]
        return found

    def _surname_first(self, cluster: _Cluster) -> bool:
        first = cluster.canonical.split()[0]
        return any(name_tokens(n) == [_fold(first)] for n in cluster.names)


def _non_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Longest span wins where mentions overlap; result in text order."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v.strip() for v in values if v and v.strip() and v.strip().lower() != "null")
    if not counts:
        return None
    return max(counts, key=lambda v: (counts[v], len(v)))


def _kind(drafts: Sequence[SpeakerDraft]) -> SpeakerKind:
    counts = Counter(d.kind for d in drafts if d.kind != "unknown")
    return counts.most_common(1)[0][0] if counts else "unknown"
