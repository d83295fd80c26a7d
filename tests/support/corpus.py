"""Small synthetic Extractions from a compact description, for cross-article tests.

``extraction("a1", "Antony Blinken", "org:China", "anon:the official", "Wang Yi [Foreign
Minister]")`` is one article whose text has one quoted claim per speaker (``*2`` for two),
each with one stance per target, every span (quote, cue, mention, evidence) located in
that text. A prefix sets the
kind (``org:``, ``gov:``, ``media:``, ``anon:``, ``unknown:``; a person by default),
``[...]`` the role and ``@...`` the affiliation: ``"Janet Yellen [Treasury Secretary] @US"``.
"""

from __future__ import annotations

import re
from datetime import date

from claimstance.schemas.models import (
    Claim,
    Extraction,
    Span,
    Speaker,
    SpeakerKind,
    SpeakerProfile,
    Stance,
    StanceLabel,
    Target,
)

_KINDS: dict[str, SpeakerKind] = {
    "org": "organization",
    "gov": "government",
    "media": "media",
    "anon": "anonymous",
    "unknown": "unknown",
}
_SPEC = re.compile(
    r"^(?:(?P<kind>\w+):)?(?P<name>[^\[@*]+?)\s*(?:\[(?P<role>[^\]]*)\])?\s*"
    r"(?:@(?P<aff>[^*]+?))?\s*(?:\*(?P<n>\d+))?$"
)
_LABELS: tuple[StanceLabel, ...] = ("favor", "against", "neutral")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def extraction(
    article_id: str,
    *speakers: str,
    targets: tuple[str, ...] = ("the plan",),
    source: str | None = None,
    published: date | None = None,
) -> Extraction:
    """One article with the described speakers, each claim with a stance per target."""
    text = ""
    claims: list[Claim] = []
    profiles: list[SpeakerProfile] = []
    for number, spec in enumerate(speakers):
        found = _SPEC.match(spec)
        assert found, spec
        name = found["name"].strip()
        kind = _KINDS[found["kind"]] if found["kind"] else "person"
        role, aff = found["role"], found["aff"]
        speaker_id = _slug(name) or f"speaker-{number}"
        mentions: list[Span] = []
        for k in range(int(found["n"] or 1)):
            body = f"Point {number}.{k} about {' and '.join(targets)}."
            quote = f"“{body}”"
            q_start = len(text)
            text += quote + " "
            m_start = len(text)
            text += name + " "
            c_start = len(text)
            text += "said. "
            mention = Span(text=name, start=m_start, end=m_start + len(name))
            mentions.append(mention)
            evidence = Span(text=body, start=q_start + 1, end=q_start + 1 + len(body))
            stances = [
                Stance(
                    target=target,
                    label=_LABELS[(number + k + t) % 3],
                    confidence=0.75 if t == 0 else None,
                    basis="lexicon",
                    evidence=evidence,
                )
                for t, target in enumerate(targets)
            ]
            claims.append(
                Claim(
                    id=f"q{q_start}-{q_start + len(quote)}",
                    quote=Span(text=quote, start=q_start, end=q_start + len(quote)),
                    kind="direct",
                    claim=body,
                    cue=Span(text="said", start=c_start, end=c_start + 4),
                    speaker=Speaker(
                        id=speaker_id,
                        name=name,
                        mention=mention,
                        role=role,
                        affiliation=aff,
                        kind=kind,
                    ),
                    stances=stances,
                )
            )
        profiles.append(
            SpeakerProfile(
                id=speaker_id,
                name=name,
                role=role,
                affiliation=aff,
                kind=kind,
                mentions=mentions,
            )
        )
    return Extraction(
        article_id=article_id,
        title=f"Article {article_id}",
        source=source,
        published=published,
        claims=claims,
        speakers=profiles,
        targets=[Target(name=target, kind="given") for target in targets],
        model="test",
        strategy="guided",
        prompt_version="test@1",
    )
