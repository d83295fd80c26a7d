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
        return max(self.names, key=lambda n: (len(name_tokens(n)), len(n), n))


def _is_unknown(name: str) -> bool:
    return not name_tokens(name) or _fold(name) in {UNKNOWN, "none", "n a", "anonymous"}


def _same_source(short: list[str], long: list[str]) -> bool:
    """'blinken' ~ 'antony blinken'; 'xi' ~ 'xi jinping' (Chinese family name first)."""
    if not short or not long or len(short) > len(long):
        return False
    return bool(long[-len(short) :] == short or long[: len(short)] == short)


class SpeakerRegistry:
    """Collects speaker drafts, then resolves them into canonical profiles."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._clusters: list[_Cluster] = []
        self._unknown = _Cluster(names=["unknown"])

    def add(self, draft: SpeakerDraft) -> None:
        if _is_unknown(draft.name):
            self._unknown.drafts.append(draft)
            return
        tokens = name_tokens(draft.name)
        for cluster in self._clusters:
            other = cluster.tokens
            if _same_source(tokens, other) or _same_source(other, tokens):
                cluster.names.append(draft.name)
                cluster.drafts.append(draft)
                return
        self._clusters.append(_Cluster(names=[draft.name], drafts=[draft]))

    def speaker_id(self, name: str) -> str:
        if _is_unknown(name):
            return UNKNOWN
        tokens = name_tokens(name)
        for cluster in self._clusters:
            if _same_source(tokens, cluster.tokens) or _same_source(cluster.tokens, tokens):
                return slug(cluster.canonical)
        return slug(name)

    def profiles(self) -> list[SpeakerProfile]:
        clusters = [*self._clusters, *([self._unknown] if self._unknown.drafts else [])]
        profiles = [self._profile(c) for c in clusters]
        return sorted(profiles, key=lambda p: p.mentions[0].start if p.mentions else 10**12)

    def _profile(self, cluster: _Cluster) -> SpeakerProfile:
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
            id=UNKNOWN if is_unknown else slug(canonical),
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
        if len(tokens) > 1:
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
