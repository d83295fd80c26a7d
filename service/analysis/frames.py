"""Four long-form tables of a corpus of extractions: speakers, claims, stances, mentions.

Each table is a list of row dicts whose keys are exactly its ``COLUMNS`` entry, so CSV,
Parquet, pandas, SQL and R read the same plain column names (no per-target columns: one
stance row per claim and target). The columns and their meaning are documented in
docs/architecture.md ("Cross-article analysis"); ``COLUMNS`` is the one list of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from claimstance.analysis.speakers import SpeakerIndex, resolve_speakers
from claimstance.schemas.models import Extraction, Span

ColumnType = Literal["str", "int", "float"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    doc: str


def _c(name: str, doc: str, kind: ColumnType = "str") -> Column:
    return Column(name, kind, doc)


_ARTICLE = (
    _c("article_id", "The article's id."),
    _c("title", "The article's title, as given or its first line."),
    _c("source", "Publisher or outlet, as given with the article."),
    _c("url", "The article's URL, as given."),
    _c("published", "Publication date or date-time as given, ISO 8601 text."),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "speakers": (
        _c("corpus_speaker_id", "Cross-article speaker id (slug of the name, or article:id)."),
        _c("name", "Canonical name: the longest full name seen."),
        _c("kind", "person, organization, government, media, anonymous or unknown."),
        _c("aliases", "Other names and surface forms seen, joined by '; ' (no pronouns)."),
        _c("article_count", "Articles it appears in.", "int"),
        _c("claim_count", "Claims attributed to it across the corpus.", "int"),
        _c("article_ids", "Those articles' ids in input order, joined by '; '."),
        _c("roles", "Distinct roles the articles give, in article order, joined by '; '."),
        _c("affiliations", "Distinct affiliations, in article order, joined by '; '."),
        _c("joins", "Per article speaker 'article_id/speaker_id (name): reason', joined by '; '."),
    ),
    "claims": (
        *_ARTICLE,
        _c("claim_id", "The claim's id, unique within its article."),
        _c("kind", "direct, indirect or mixed."),
        _c("corpus_speaker_id", "The cross-article speaker (speakers.corpus_speaker_id)."),
        _c("corpus_speaker", "That speaker's canonical name."),
        _c("speaker_id", "The speaker's id within the article."),
        _c("speaker", "The speaker's name in this article."),
        _c("speaker_kind", "The speaker's kind in this article."),
        _c("speaker_role", "Role or title the article gives the speaker."),
        _c("speaker_affiliation", "Organisation or country the article gives the speaker."),
        _c("mention", "The mention the claim is attributed to (may be a pronoun)."),
        _c("mention_start", "Its start offset in the article text.", "int"),
        _c("mention_end", "Its end offset (exclusive).", "int"),
        _c("quote", "The attributed content; a direct quote keeps its quotation marks."),
        _c("quote_start", "Start offset of the quote.", "int"),
        _c("quote_end", "End offset of the quote (exclusive).", "int"),
        _c("cue", "The attribution cue ('said', 'according to')."),
        _c("cue_start", "Start offset of the cue.", "int"),
        _c("cue_end", "End offset of the cue (exclusive).", "int"),
        _c("claim", "The proposition as a standalone sentence."),
        _c("topics", "Topics of the claim, joined by '; ' (article strategy)."),
        _c("stance_count", "Stance rows of this claim in the stances table.", "int"),
    ),
    "stances": (
        _c("article_id", "The article's id."),
        _c("claim_id", "The claim (claims.article_id + claims.claim_id)."),
        _c("corpus_speaker_id", "The claim's cross-article speaker."),
        _c("target", "What the stance is toward."),
        _c("target_kind", "person, organization, place, topic or given (requested)."),
        _c("label", "favor, against or neutral."),
        _c("confidence", "Probability of the label; empty when nothing measured it.", "float"),
        _c("basis", "What decided it: model, lexicon, model+lexicon or speaker."),
        _c("evidence", "The sentence that carries the stance (basis speaker: another claim's)."),
        _c("evidence_start", "Start offset of the evidence.", "int"),
        _c("evidence_end", "End offset of the evidence (exclusive).", "int"),
        _c("published", "The article's publication date or date-time, ISO 8601 text."),
        _c("source", "The article's publisher or outlet."),
    ),
    "mentions": (
        _c("article_id", "The article's id."),
        _c("corpus_speaker_id", "The cross-article speaker mentioned."),
        _c("speaker_id", "The speaker's id within the article."),
        _c("text", "The mention as written."),
        _c("start", "Start offset in the article text.", "int"),
        _c("end", "End offset (exclusive).", "int"),
    ),
}

TABLES = tuple(COLUMNS)


def _span(prefix: str, span: Span | None) -> dict[str, Any]:
    if span is None:
        return {prefix: None, f"{prefix}_start": None, f"{prefix}_end": None}
    return {prefix: span.text, f"{prefix}_start": span.start, f"{prefix}_end": span.end}


def _joined(values: Sequence[str | None]) -> str | None:
    distinct = list(dict.fromkeys(v for v in values if v))
    return "; ".join(distinct) if distinct else None


def _speaker_rows(index: SpeakerIndex) -> list[dict[str, Any]]:
    rows = []
    for s in index.speakers:
        joins = [f"{j.article_id}/{j.speaker_id} ({j.name}): {j.reason}" for j in s.joins]
        rows.append(
            {
                "corpus_speaker_id": s.id,
                "name": s.name,
                "kind": s.kind,
                "aliases": _joined(s.aliases),
                "article_count": len(s.articles),
                "claim_count": index.claim_count(s.id),
                "article_ids": _joined(s.articles),
                "roles": _joined([s.roles[a] for a in s.articles]),
                "affiliations": _joined([s.affiliations[a] for a in s.articles]),
                "joins": "; ".join(joins),
            }
        )
    return rows


def _target_kinds(ex: Extraction) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for target in ex.targets:
        for name in (target.name, *target.aliases):
            kinds.setdefault(name, target.kind)
            kinds.setdefault(name.casefold(), target.kind)
    return kinds


def build_tables(
    extractions: Sequence[Extraction], index: SpeakerIndex | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The four tables as rows, speakers resolved by ``index`` (resolved here if not given)."""
    index = index or resolve_speakers(extractions)
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    tables["speakers"] = _speaker_rows(index)
    names = {s.id: s.name for s in index.speakers}
    for ex in extractions:
        published = ex.published.isoformat() if ex.published is not None else None
        article = {"article_id": ex.article_id, "title": ex.title, "source": ex.source}
        article |= {"url": ex.url, "published": published}
        kinds = _target_kinds(ex)
        for claim in ex.claims:
            corpus_id = index.corpus_id(ex.article_id, claim.speaker.id)
            speaker = claim.speaker
            tables["claims"].append(
                article
                | {"claim_id": claim.id, "kind": claim.kind, "corpus_speaker_id": corpus_id}
                | {"corpus_speaker": names[corpus_id], "speaker_id": speaker.id}
                | {"speaker": speaker.name, "speaker_kind": speaker.kind}
                | {"speaker_role": speaker.role, "speaker_affiliation": speaker.affiliation}
                | _span("mention", speaker.mention)
                | _span("quote", claim.quote)
                | _span("cue", claim.cue)
                | {"claim": claim.claim, "topics": _joined(claim.topics)}
                | {"stance_count": len(claim.stances)}
            )
            for stance in claim.stances:
                kind = kinds.get(stance.target) or kinds.get(stance.target.casefold())
                tables["stances"].append(
                    {"article_id": ex.article_id, "claim_id": claim.id}
                    | {"corpus_speaker_id": corpus_id, "target": stance.target}
                    | {"target_kind": kind, "label": stance.label}
                    | {"confidence": stance.confidence, "basis": stance.basis}
                    | _span("evidence", stance.evidence)
                    | {"published": published, "source": ex.source}
                )
        for profile in ex.speakers:
            corpus_id = index.corpus_id(ex.article_id, profile.id)
            for mention in profile.mentions:
                tables["mentions"].append(
                    {"article_id": ex.article_id, "corpus_speaker_id": corpus_id}
                    | {"speaker_id": profile.id, "text": mention.text}
                    | {"start": mention.start, "end": mention.end}
                )
    return tables
