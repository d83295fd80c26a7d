"""The report's data model: what the page receives as JSON, built from extractions, their
article texts and the cross-article speaker index.

Indices tie the parts together: a claim names its article and its corpus speaker by their
position in ``articles`` and ``speakers``, a stance its target by position in ``targets``; the
matrix and the timeline list claim positions, so the page can count what passes its filters
without grouping anything itself.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from claimstance.report.marks import Mark

#: Bumped when the page's expectations of the JSON change.
REPORT_FORMAT = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportStance(_Model):
    target: int
    label: str
    confidence: float | None
    basis: str | None
    evidence: str | None


class ReportClaim(_Model):
    id: str
    article: int
    kind: str
    claim: str
    quote: str
    #: The quote is highlighted in the article text (its span matched the text).
    located: bool
    speaker: int
    speaker_id: str
    name: str
    role: str | None
    affiliation: str | None
    speaker_kind: str
    mention: str | None
    cue: str | None
    stances: list[ReportStance]


class ReportWarning(_Model):
    code: str
    message: str


class ReportArticle(_Model):
    id: str
    title: str
    source: str | None
    url: str | None
    published: str | None
    #: None when no article text was given for it (``--articles``).
    text: str | None
    #: What the reader should know: no text, or spans that do not match the text.
    note: str | None
    warnings: list[ReportWarning]
    claims: list[int]
    marks: list[Mark]


class ReportJoin(_Model):
    article: int
    speaker_id: str
    name: str
    reason: str


class ReportSpeaker(_Model):
    id: str
    name: str
    kind: str
    aliases: list[str]
    articles: list[int]
    #: Per article, as each states it: ``[article, role]`` and ``[article, affiliation]``.
    roles: list[tuple[int, str]]
    affiliations: list[tuple[int, str]]
    joins: list[ReportJoin]
    claims: list[int]


class MatrixCell(_Model):
    speaker: int
    target: int
    claims: list[int]


class DateBucket(_Model):
    date: str
    claims: list[int]


class Report(_Model):
    format: int = REPORT_FORMAT
    title: str
    targets: list[str]
    sources: list[str]
    articles: list[ReportArticle]
    claims: list[ReportClaim]
    speakers: list[ReportSpeaker]
    matrix: list[MatrixCell]
    timeline: list[DateBucket]
    #: Claims of articles without a publication date (not in ``timeline``).
    undated: int
    notes: list[str]
