"""From extractions (and their article texts) to the report's data model.

Every span is checked against the article text before it is drawn (``text[start:end] ==
span.text``); a span that does not match is not marked and the article says how many.
An extraction without its text is still listed, with its claims, speakers and stances.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from itertools import pairwise

from claimstance.analysis.speakers import SpeakerIndex, resolve_speakers
from claimstance.report.marks import Mark, nest, span_matches
from claimstance.report.model import (
    DateBucket,
    MatrixCell,
    Report,
    ReportArticle,
    ReportClaim,
    ReportJoin,
    ReportSpeaker,
    ReportStance,
    ReportWarning,
)
from claimstance.schemas.models import Article, Claim, Extraction, Span
from claimstance.text.normalize import target_key

NO_TEXT = (
    "The article text was not given (claimstance report --articles), "
    "so quotes are not shown in context."
)


def _day(published: date | datetime | None) -> str | None:
    if published is None:
        return None
    return (published.date() if isinstance(published, datetime) else published).isoformat()


def _gaps(claim: Claim, position: int, check: Callable[[Span], bool]) -> list[Mark]:
    """The stretches between the parts of a quote interrupted by its cue."""
    parts = claim.quote_parts
    if len(parts) < 2 or not all([check(part) for part in parts]):
        return []
    return [("g", a.end, b.start, position) for a, b in pairwise(parts)]


class _Builder:
    def __init__(self, index: SpeakerIndex) -> None:
        self.index = index
        self.speaker_pos = {s.id: n for n, s in enumerate(index.speakers)}
        self.target_pos: dict[str, int] = {}
        self.targets: list[str] = []
        self.claims: list[ReportClaim] = []
        self.speaker_claims: dict[int, list[int]] = {}
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.days: dict[str, list[int]] = {}
        self.undated = 0

    def target(self, name: str) -> int:
        key = target_key(name)
        if key not in self.target_pos:
            self.target_pos[key] = len(self.targets)
            self.targets.append(name)
        return self.target_pos[key]

    def speaker(self, article_id: str, speaker_id: str) -> int:
        return self.speaker_pos[self.index.corpus_id(article_id, speaker_id)]

    def article(self, number: int, ex: Extraction, given: Article | None) -> ReportArticle:
        text = given.text if given is not None else None
        marks: list[Mark] = []
        bad = 0

        def check(span: Span | None) -> bool:
            nonlocal bad
            if span is None or text is None:
                return False
            ok = span_matches(text, span)
            bad += not ok
            return ok

        published = ex.published or (given.published if given else None)
        day = _day(published)
        claim_numbers = []
        for claim in ex.claims:
            position = len(self.claims)
            claim_numbers.append(position)
            located = check(claim.quote)
            if located:
                marks.append(("q", claim.quote.start, claim.quote.end, position))
                marks += _gaps(claim, position, check)
            if check(claim.cue) and claim.cue is not None:
                marks.append(("c", claim.cue.start, claim.cue.end, position))
            for span in claim.stances:
                check(span.evidence)
            self._claim(number, ex, claim, located, day)
        for profile in ex.speakers:
            ref = self.speaker(ex.article_id, profile.id)
            for mention in profile.mentions:
                if check(mention):
                    marks.append(("m", mention.start, mention.end, ref))
        note = NO_TEXT if text is None else None
        if bad:
            note = (
                f"{bad} span{'s' if bad > 1 else ''} of this extraction do not match the "
                "article text given and are not marked: was the text changed after extraction?"
            )
        return ReportArticle(
            id=ex.article_id,
            title=ex.title or (given and given.title) or ex.article_id,
            source=ex.source or (given and given.source) or None,
            url=ex.url or (given and given.url) or None,
            published=published.isoformat() if published else None,
            text=text,
            note=note,
            warnings=[ReportWarning(code=w.code, message=w.message) for w in ex.warnings],
            claims=claim_numbers,
            marks=nest(marks),
        )

    def _claim(
        self, number: int, ex: Extraction, claim: Claim, located: bool, day: str | None
    ) -> None:
        position = len(self.claims)
        speaker = self.speaker(ex.article_id, claim.speaker.id)
        stances = [
            ReportStance(
                target=self.target(s.target),
                label=s.label,
                confidence=s.confidence,
                basis=s.basis,
                evidence=s.evidence.text if s.evidence else None,
            )
            for s in claim.stances
        ]
        self.claims.append(
            ReportClaim(
                id=claim.id,
                article=number,
                kind=claim.kind,
                claim=claim.claim,
                quote=claim.quote.text,
                located=located,
                speaker=speaker,
                speaker_id=claim.speaker.id,
                name=claim.speaker.name,
                role=claim.speaker.role,
                affiliation=claim.speaker.affiliation,
                speaker_kind=claim.speaker.kind,
                mention=claim.speaker.mention.text if claim.speaker.mention else None,
                cue=claim.cue.text if claim.cue else None,
                stances=stances,
            )
        )
        self.speaker_claims.setdefault(speaker, []).append(position)
        for target in dict.fromkeys(s.target for s in stances):
            self.cells.setdefault((speaker, target), []).append(position)
        if day is None:
            self.undated += 1
        else:
            self.days.setdefault(day, []).append(position)

    def speakers(self, article_pos: Mapping[str, int]) -> list[ReportSpeaker]:
        out = []
        for n, s in enumerate(self.index.speakers):
            out.append(
                ReportSpeaker(
                    id=s.id,
                    name=s.name,
                    kind=s.kind,
                    aliases=list(s.aliases),
                    articles=[article_pos[a] for a in s.articles if a in article_pos],
                    roles=[(article_pos[a], r) for a, r in s.roles.items() if r],
                    affiliations=[(article_pos[a], r) for a, r in s.affiliations.items() if r],
                    joins=[
                        ReportJoin(
                            article=article_pos[j.article_id],
                            speaker_id=j.speaker_id,
                            name=j.name,
                            reason=j.reason,
                        )
                        for j in s.joins
                        if j.article_id in article_pos
                    ],
                    claims=self.speaker_claims.get(n, []),
                )
            )
        return out


def latest_by_id(extractions: Iterable[Extraction]) -> list[Extraction]:
    """One extraction per article id, in first-seen order; a later line replaces an earlier."""
    by_id: dict[str, Extraction] = {}
    for ex in extractions:
        by_id[ex.article_id] = ex
    return list(by_id.values())


def build_report(
    extractions: Sequence[Extraction],
    articles: Iterable[Article] = (),
    *,
    index: SpeakerIndex | None = None,
    title: str = "claimstance report",
) -> Report:
    """The report of ``extractions`` (one per article id), with the texts of ``articles``
    matched by id; ``index`` defaults to :func:`resolve_speakers` over ``extractions``."""
    extractions = latest_by_id(extractions)
    texts = {a.id: a for a in articles}
    builder = _Builder(index if index is not None else resolve_speakers(extractions))
    report_articles = [
        builder.article(n, ex, texts.get(ex.article_id)) for n, ex in enumerate(extractions)
    ]
    article_pos = {ex.article_id: n for n, ex in enumerate(extractions)}
    notes = []
    missing = sum(a.text is None for a in report_articles)
    if missing:
        notes.append(f"{missing} of {len(report_articles)} articles have no text: {NO_TEXT}")
    unused = len(set(texts) - set(article_pos))
    if unused:
        notes.append(f"{unused} article texts given have no extraction and are not shown.")
    return Report(
        title=title,
        targets=builder.targets,
        sources=sorted({a.source for a in report_articles if a.source}),
        articles=report_articles,
        claims=builder.claims,
        speakers=builder.speakers(article_pos),
        matrix=[
            MatrixCell(speaker=s, target=t, claims=c) for (s, t), c in sorted(builder.cells.items())
        ],
        timeline=[DateBucket(date=d, claims=c) for d, c in sorted(builder.days.items())],
        undated=builder.undated,
        notes=notes,
    )
