"""Checks shared by the detector tests: the parts of a claim, its best candidate, valid offsets."""

from __future__ import annotations

from claimstance.detect.detector import DetectedClaim


def parts(text: str, claim: DetectedClaim) -> list[str]:
    return [text[p.start : p.end] for p in claim.parts]


def top(text: str, claim: DetectedClaim) -> tuple[str, str]:
    """(canonical name, surface mention) of the best candidate."""
    assert claim.candidates, "no candidates"
    c = claim.candidates[0]
    return c.name, text[c.mention.start : c.mention.end]


def check_offsets(text: str, claims: list[DetectedClaim]) -> None:
    last_end = 0
    for c in claims:
        assert 0 <= c.quote.start <= c.quote.end <= len(text)
        assert c.quote.start >= last_end, "claims overlap or are out of order"
        last_end = c.quote.end
        assert c.parts, "every claim has at least one part"
        assert c.parts[0].start == c.quote.start and c.parts[-1].end == c.quote.end
        for a, b in zip(c.parts, c.parts[1:], strict=False):
            assert a.end <= b.start
        for p in c.parts:
            assert p.start < p.end
            assert p.text_of(text) == text[p.start : p.end]
            assert text[p.start] not in " \n" and text[p.end - 1] not in " \n"
        if c.cue is not None:
            assert 0 <= c.cue.start < c.cue.end <= len(text)
        assert len(c.candidates) <= 5
        scores = [x.score for x in c.candidates]
        assert scores == sorted(scores, reverse=True)
        for x in c.candidates:
            assert 0 <= x.mention.start < x.mention.end <= len(text)
            assert x.name.strip()
