"""Cross-article speaker resolution: one ``CorpusSpeaker`` per source across a corpus.

The rules, applied in this order, are deterministic (the same input in the same order gives
the same speakers and ids) and each join says why in ``Join.reason``:

1. Unnamed sources never merge: kind ``anonymous`` or ``unknown``, or a name that is a
   description ("the official", "Geopolitical scholars"). Each stays its own speaker, id
   ``<article_id>:<speaker_id>``.
2. Organisations, governments and media merge on the same normalised name
   (:func:`.names.org_key`: case, accents, dots, quotation marks and a leading "the").
3. People with a full name (two or more tokens after titles are set aside) merge when the
   surname (last token) is the same and the given names are compatible (equal, an initial,
   middle names only on one side). A name compatible with two different people stays apart.
4. A bare name ("Blinken", "Mr Xi", "Secretary Blinken") joins the one full name in the
   corpus that has it as its last token (the surname) or its first (a family name written
   first, "Xi Jinping"). When several full names have it ("Wang": Wang Yi, Wang Wenbin,
   Wang Huiyao), it joins the one found in its own article, else the one whose role matches
   its title or role; otherwise it stays alone. Bare names with no full name in the corpus
   merge with the same bare name elsewhere ("Putin" and "Putin").

Roles and affiliations are kept per article: they change over time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from claimstance.analysis.names import (
    PersonName,
    given_compatible,
    org_key,
    person_name,
    role_matches,
    slug,
)
from claimstance.detect.cues import words
from claimstance.errors import InputError
from claimstance.schemas.models import Extraction, SpeakerProfile

UNNAMED_KINDS = frozenset({"anonymous", "unknown"})
ORG_KINDS = frozenset({"organization", "government", "media"})
#: Surface forms that are not names of anyone: left out of ``aliases``.
PRONOUNS = frozenset(words("he she they it him her his its we i who that this them their"))
#: A placeholder reason, explained once the cluster is complete.
_FIRST = "(founds the cluster)"


@dataclass(frozen=True)
class Join:
    """Why one article-level speaker was joined to a cross-article speaker."""

    article_id: str
    speaker_id: str  # the article-level SpeakerProfile.id
    name: str  # that speaker's name in that article
    reason: str  # e.g. "surname 'Blinken' of Antony Blinken, the only Blinken in the corpus"


@dataclass(frozen=True)
class CorpusSpeaker:
    """One source across the corpus, with what each article says about it."""

    id: str  # stable for the same corpus: slug of the name (-2 on collisions), or article:id
    name: str  # canonical: the longest full name
    kind: str
    aliases: tuple[str, ...]  # other surface forms seen, pronouns left out
    articles: tuple[str, ...]  # article ids, in input order
    roles: dict[str, str | None]  # article_id -> role there
    affiliations: dict[str, str | None]  # article_id -> affiliation there
    joins: tuple[Join, ...]  # one per article-level speaker, in input order


@dataclass
class SpeakerIndex:
    """The corpus speakers (most claims first) and the map from article-level speakers."""

    speakers: list[CorpusSpeaker]
    _ids: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _claims: dict[str, int] = field(default_factory=dict, repr=False)

    def corpus_id(self, article_id: str, speaker_id: str) -> str:
        """The corpus speaker id of an article's speaker; KeyError if unknown."""
        return self._ids[(article_id, speaker_id)]

    def claim_count(self, corpus_id: str) -> int:
        """How many claims the corpus speaker made across the corpus."""
        return self._claims.get(corpus_id, 0)

    def get(self, corpus_id: str) -> CorpusSpeaker:
        """The corpus speaker with this id; KeyError if unknown."""
        for speaker in self.speakers:
            if speaker.id == corpus_id:
                return speaker
        raise KeyError(corpus_id)


@dataclass
class _Entry:
    """One article-level speaker."""

    order: int
    article_id: str
    profile: SpeakerProfile
    claims: int
    person: PersonName | None = None


@dataclass
class _Cluster:
    entries: list[_Entry] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    names: list[PersonName] = field(default_factory=list)  # full names of a person
    unnamed: bool = False

    def add(self, entry: _Entry, reason: str) -> None:
        self.entries.append(entry)
        self.reasons.append(reason)
        if entry.person is not None and entry.person.full:
            self.names.append(entry.person)

    @property
    def first(self) -> int:
        return min(e.order for e in self.entries)

    @property
    def canonical(self) -> str:
        if self.names:
            best = max(self.names, key=lambda n: (len(n.tokens), len(n.text)))
            return best.text
        people = [e.person for e in self.entries if e.person is not None]
        if people:
            return people[0].text
        counts = Counter(e.profile.name for e in self.entries)
        return max(counts, key=lambda name: counts[name])  # ties: the first seen


def _entries(extractions: Sequence[Extraction]) -> list[_Entry]:
    entries: list[_Entry] = []
    seen: dict[str, int] = {}
    for i, ex in enumerate(extractions):
        if ex.article_id in seen:
            raise InputError(
                f"article {ex.article_id!r} is given twice (results {seen[ex.article_id] + 1} "
                f"and {i + 1}); pass each article once"
            )
        seen[ex.article_id] = i
        claims = Counter(c.speaker.id for c in ex.claims)
        profiles = {p.id: p for p in ex.speakers}
        for claim in ex.claims:  # a claim's speaker missing from the registry still counts
            s = claim.speaker
            if s.id not in profiles:
                mentions = [s.mention] if s.mention else []
                profiles[s.id] = SpeakerProfile(
                    id=s.id,
                    name=s.name,
                    role=s.role,
                    affiliation=s.affiliation,
                    kind=s.kind,
                    mentions=mentions,
                )
        for profile in profiles.values():
            entries.append(_Entry(len(entries), ex.article_id, profile, claims[profile.id]))
    return entries


def _label(names: Iterable[str]) -> str:
    items = sorted(set(names))
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


def _people(entries: list[_Entry]) -> list[_Cluster]:
    """Rules 3 and 4: full names by surname and given names, then bare names."""
    full = [e for e in entries if e.person is not None and e.person.full]
    bare = [e for e in entries if e.person is not None and not e.person.full]
    clusters: list[_Cluster] = []
    by_name: dict[tuple[str, ...], _Cluster] = {}
    # Longest names first, so a short form meets every longer name it could belong to.
    for entry in sorted(full, key=lambda e: (-len(_p(e).tokens), -len(_p(e).text), e.order)):
        name = _p(entry)
        if name.folded in by_name:
            cluster = by_name[name.folded]
            cluster.add(entry, f"same full name {cluster.canonical!r}")
            continue
        fits = [c for c in clusters if all(given_compatible(name, n) for n in c.names)]
        cluster = _Cluster()
        if len(fits) == 1:
            cluster = fits[0]
            reason = f"given names of {name.text!r} compatible with {cluster.canonical!r}"
            cluster.add(entry, reason + f" (same surname {name.tokens[-1]!r})")
        else:
            clusters.append(cluster)
            if fits:
                others = _label(c.canonical for c in fits)
                cluster.add(entry, f"{name.text!r} could be {others}: kept apart")
            else:
                cluster.add(entry, _FIRST)
        by_name[name.folded] = cluster
    named: dict[str, list[_Cluster]] = {}  # token -> full-name clusters with it first or last
    for cluster in list(clusters):
        for token in dict.fromkeys(t for n in cluster.names for t in (n.surname, n.folded[0])):
            named.setdefault(token, []).append(cluster)
    alone: dict[str, _Cluster] = {}
    for entry in bare:
        token = _p(entry).surname
        found = list(named.get(token, ()))
        chosen, reason = _choose_for_bare(entry, found)
        if chosen is not None:
            chosen.add(entry, reason)
        elif found:  # ambiguous: alone, and never merged with another ambiguous one
            cluster = _Cluster()
            cluster.add(entry, reason)
            clusters.append(cluster)
        elif token in alone:
            alone[token].add(entry, _FIRST)
        else:
            alone[token] = cluster = _Cluster()
            cluster.add(entry, _FIRST)
            clusters.append(cluster)
    for cluster in alone.values():
        shown = _p(cluster.entries[0]).tokens[-1]
        _explain_first(cluster, lambda e: _p(e).surname, "name", f"; no full name has {shown!r}")
    for cluster in clusters:
        _explain_first(cluster, lambda e: _p(e).folded, "full name")
    return clusters


def _explain_first(
    cluster: _Cluster, key: Callable[[_Entry], object], what: str, note: str = ""
) -> None:
    """Say why the entries that founded a cluster (placeholder reasons) belong to it."""
    keys = [key(e) for e in cluster.entries]  # once each: clusters grow with the corpus
    counts = Counter(keys)
    name = cluster.canonical
    for i, reason in enumerate(cluster.reasons):
        if reason != _FIRST:
            continue
        same = counts[keys[i]]
        if same > 1:
            cluster.reasons[i] = f"same {what} {name!r}{note}"
        elif len(cluster.entries) > 1:
            cluster.reasons[i] = f"longest {what} {name!r}, the canonical one{note}"
        else:
            cluster.reasons[i] = f"the only speaker named {name!r}{note}"


def _p(entry: _Entry) -> PersonName:
    assert entry.person is not None
    return entry.person


def _position(token: str, cluster: _Cluster) -> str:
    if any(token == n.surname for n in cluster.names):
        return "surname"
    return "first name token (family name first) of"


def _choose_for_bare(entry: _Entry, found: list[_Cluster]) -> tuple[_Cluster | None, str]:
    name = _p(entry)
    token, shown = name.surname, name.tokens[-1]
    if len(found) == 1:
        target = found[0]
        where = _position(token, target)
        return target, f"{where} {shown!r} of {target.canonical}, the only {shown} in the corpus"
    if not found:
        return None, ""
    here = [c for c in found if any(e.article_id == entry.article_id for e in c.entries)]
    if len(here) == 1:
        target = here[0]
        where = _position(token, target)
        return target, f"{where} {shown!r} of {target.canonical}, the only {shown} in its article"
    for title in (name.title, entry.profile.role):
        if not title:
            continue
        fits = [
            c
            for c in found
            if any(e.profile.role and role_matches(title, e.profile.role) for e in c.entries)
        ]
        if len(fits) == 1:
            return fits[0], f"title {title!r} + name {shown!r} of {fits[0].canonical}"
    others = _label(c.canonical for c in found)
    return None, f"{shown!r} could be {others}: kept apart"


def _organisations(entries: list[_Entry]) -> list[_Cluster]:
    """Rule 2: the same normalised name."""
    by_key: dict[str, _Cluster] = {}
    for entry in entries:
        key = org_key(entry.profile.name)
        if key not in by_key:
            by_key[key] = _Cluster()
        by_key[key].add(entry, _FIRST)
    for cluster in by_key.values():
        _explain_first(cluster, lambda e: org_key(e.profile.name), "normalised name")
    return list(by_key.values())


def _classify(entry: _Entry) -> str:
    profile = entry.profile
    if profile.kind in UNNAMED_KINDS or not profile.name.strip():
        return "unnamed"
    if profile.kind in ORG_KINDS:
        return "org" if org_key(profile.name) else "unnamed"
    entry.person = person_name(profile.name)
    return "unnamed" if entry.person is None else "person"


def _speaker(cluster: _Cluster, speaker_id: str) -> CorpusSpeaker:
    pairs = sorted(zip(cluster.entries, cluster.reasons, strict=True), key=lambda p: p[0].order)
    name = cluster.canonical
    articles: list[str] = []
    roles: dict[str, str | None] = {}
    affiliations: dict[str, str | None] = {}
    aliases: list[str] = []
    for entry, _ in pairs:
        p, article = entry.profile, entry.article_id
        if article not in roles:
            articles.append(article)
        roles[article] = roles.get(article) or p.role
        affiliations[article] = affiliations.get(article) or p.affiliation
        for alias in (p.name, *p.aliases):
            if alias != name and alias not in aliases and alias.casefold() not in PRONOUNS:
                aliases.append(alias)
    if cluster.names or any(e.person for e in cluster.entries):
        kind = "person"
    else:
        kinds = Counter(e.profile.kind for e, _ in pairs)
        kind = max(kinds, key=lambda k: kinds[k])
    joins = tuple(Join(e.article_id, e.profile.id, e.profile.name, r) for e, r in pairs)
    return CorpusSpeaker(
        speaker_id, name, kind, tuple(aliases), tuple(articles), roles, affiliations, joins
    )


def resolve_speakers(extractions: Sequence[Extraction]) -> SpeakerIndex:
    """Resolve every article's speakers into corpus speakers (see the module's rules).

    Raises InputError when one article id is given twice."""
    entries = _entries(extractions)
    groups: dict[str, list[_Entry]] = {"unnamed": [], "org": [], "person": []}
    for entry in entries:
        groups[_classify(entry)].append(entry)
    clusters = _organisations(groups["org"]) + _people(groups["person"])
    unnamed: list[_Cluster] = []
    for entry in groups["unnamed"]:
        cluster = _Cluster(unnamed=True)
        cluster.add(entry, "unnamed source: never merged across articles")
        unnamed.append(cluster)
    taken: set[str] = set()
    speakers: list[tuple[int, int, CorpusSpeaker]] = []
    ids: dict[tuple[str, str], str] = {}
    claims: dict[str, int] = {}
    for cluster in sorted(clusters + unnamed, key=lambda c: c.first):
        if cluster.unnamed:
            entry = cluster.entries[0]
            speaker_id = f"{entry.article_id}:{entry.profile.id}"
        else:
            base = speaker_id = slug(cluster.canonical)
            n = 1
            while speaker_id in taken:
                n += 1
                speaker_id = f"{base}-{n}"
        taken.add(speaker_id)
        for entry in cluster.entries:
            ids[(entry.article_id, entry.profile.id)] = speaker_id
        claims[speaker_id] = sum(e.claims for e in cluster.entries)
        speakers.append((-claims[speaker_id], cluster.first, _speaker(cluster, speaker_id)))
    speakers.sort(key=lambda t: (t[0], t[1]))
    return SpeakerIndex([s for _, _, s in speakers], ids, claims)
