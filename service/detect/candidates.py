"""Candidate speakers for a detected claim, ranked deterministically (best first).

The first candidate is normally the noun phrase attached to the attribution cue ("said
Yellen", "Mr Blinken told reporters", "according to the ministry"); a pronoun there is
resolved to the nearest earlier compatible person. Further candidates are the previous
claim's speaker (for a quotation that continues it) and the people named near the claim.
Scores are heuristic and only order the list; a small LLM picks one or "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

from claimstance.detect.doc import Doc
from claimstance.detect.mentions import Mention, NameIndex

MAX_CANDIDATES = 5


@dataclass(frozen=True)
class Piece:
    """A span ``text[start:end]`` of the raw article text."""

    start: int
    end: int

    def text_of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class Candidate:
    """One possible speaker.

    ``mention`` is where it occurs in the text; ``name`` is the canonical guess (the
    longest full name, or the antecedent of a pronoun); ``kind`` is one of person,
    organization, government, media, anonymous, unknown.
    """

    mention: Piece
    name: str
    role: str | None
    affiliation: str | None
    kind: str
    score: float
    reason: str


def _kind(m: Mention) -> str:
    return "unknown" if m.kind == "pronoun" else m.kind


def _from_mention(m: Mention, score: float, reason: str) -> Candidate:
    return Candidate(Piece(m.start, m.end), m.name, m.role, m.affiliation, _kind(m), score, reason)


def cue_candidates(index: NameIndex, speaker: Mention, base: float = 1.0) -> list[Candidate]:
    """Candidates for the noun phrase at a cue: itself, or a pronoun and its antecedent."""
    if speaker.kind != "pronoun":
        return [_from_mention(index.expand(speaker), base, "attached to the cue")]
    word = speaker.name
    ante = index.resolve(speaker)
    if ante is None:
        kind = "anonymous" if word.lower() in ("they", "we") else "unknown"
        return [
            Candidate(
                Piece(speaker.start, speaker.end),
                word,
                None,
                None,
                kind,
                base * 0.8,
                f"pronoun '{word}' at the cue, unresolved",
            )
        ]
    reason = f"pronoun '{word}' at the cue, resolved to {ante.name}"
    out = [
        Candidate(
            Piece(speaker.start, speaker.end),
            ante.name,
            ante.role,
            ante.affiliation,
            _kind(ante),
            base * 0.95,
            reason,
        ),
        _from_mention(ante, base * 0.5, "antecedent of the pronoun at the cue"),
    ]
    return out


def rank_candidates(
    doc: Doc,
    index: NameIndex,
    start: int,
    end: int,
    speaker: Mention | None,
    previous: Candidate | None = None,
    limit: int = MAX_CANDIDATES,
) -> tuple[Candidate, ...]:
    """Ranked candidates for a claim spanning ``text[start:end]``.

    ``speaker`` is the noun phrase at the claim's cue (None without a cue); ``previous`` is
    the top candidate of the claim this one continues, if any.
    """
    found: list[Candidate] = []
    if speaker is not None:
        found.extend(cue_candidates(index, speaker))
    if previous is not None:
        score = 0.6 if speaker is not None else 0.85
        found.append(
            Candidate(
                previous.mention,
                previous.name,
                previous.role,
                previous.affiliation,
                previous.kind,
                score,
                "speaker of the quotation this one continues",
            )
        )
    s_idx = doc.sentence_index(start)
    e_idx = doc.sentence_index(max(start, end - 1))
    sent_lo = doc.sentences[s_idx][0] if doc.sentences else 0
    sent_hi = doc.sentences[e_idx][1] if doc.sentences else len(doc.text)
    prev_lo = doc.sentences[s_idx - 1][0] if s_idx > 0 else sent_lo
    for rank, m in enumerate(index.persons_before(sent_hi, limit=200)[:12]):
        if start <= m.start < end:
            continue
        if m.start >= sent_lo:
            score, why = 0.5, "named in the same sentence"
        elif m.start >= prev_lo:
            score, why = 0.4, "named in the previous sentence"
        else:
            score, why = max(0.05, 0.3 - 0.03 * rank), "named earlier in the article"
        found.append(_from_mention(index.expand(m), score, why))
    return _dedupe(found, limit)


def _dedupe(found: list[Candidate], limit: int) -> tuple[Candidate, ...]:
    best: dict[str, Candidate] = {}
    order: list[str] = []
    for c in found:
        key = c.name.lower()
        if key not in best:
            best[key] = c
            order.append(key)
        elif c.score > best[key].score:
            best[key] = c
    ranked = sorted((best[k] for k in order), key=lambda c: -c.score)
    return tuple(ranked[:limit])
