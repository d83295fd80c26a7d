"""The output contract: what claimstance promises to every caller.

Offsets are character offsets (Python ``str`` indices) into the article text exactly as
given. A span validated with ``context={"text": article_text}`` must satisfy
``text[start:end] == span.text``; without that context only its internal consistency is
checked, because a span on its own does not carry the article.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

SCHEMA_VERSION = "1.3"

SpeakerKind = Literal["person", "organization", "government", "media", "anonymous", "unknown"]
ClaimKind = Literal["direct", "indirect", "mixed"]
StanceLabel = Literal["favor", "against", "neutral"]
Strategy = Literal["article", "guided"]
AlignmentMethod = Literal["exact", "normalized", "fuzzy", "detected"]
StanceBasis = Literal["model", "lexicon", "model+lexicon", "speaker"]
TargetKind = Literal["person", "organization", "place", "topic", "given"]


def article_id_for(text: str) -> str:
    """A stable id from the text alone, so re-runs and other tools agree on it."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Article(_Model):
    """One news article as given by the caller; ``text`` is never modified."""

    id: str = Field("", description="Stable identifier; defaults to a hash of the text.")
    text: str = Field(description="The raw article text. All offsets refer to it.")
    title: str | None = None
    source: str | None = Field(None, description="Publisher or outlet name.")
    url: str | None = None
    published: date | datetime | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _integer_id(cls, value: object) -> object:
        """Integer ids (common in JSONL exports) are kept, as their decimal string."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("id", "text", "title", "source", "url")
    @classmethod
    def _unicode_text(cls, value: str | None) -> str | None:
        """A lone surrogate ("\\ud800" in JSON) is not text: no output could carry it."""
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:
                raise ValueError(
                    f"contains a lone surrogate (U+{ord(value[e.start]):04X}) at character "
                    f"{e.start}: not Unicode text"
                ) from None
        return value

    @model_validator(mode="after")
    def _default_id(self) -> Article:
        if not self.id:
            object.__setattr__(self, "id", article_id_for(self.text))
        return self


class Span(_Model):
    """A piece of the article, located by the service (never by the model)."""

    text: str = Field(description="Exactly the characters text[start:end] of the article.")
    start: int = Field(ge=0, description="Start character offset into the raw article text.")
    end: int = Field(ge=0, description="End character offset (exclusive).")
    alignment: AlignmentMethod = Field(
        "exact",
        description="How the span was located: exact match, after normalising quotes, "
        "dashes and whitespace, fuzzy match, or detected deterministically.",
    )
    score: float = Field(1.0, ge=0.0, le=1.0, description="Alignment similarity, 1.0 = exact.")

    @model_validator(mode="after")
    def _check_offsets(self, info: ValidationInfo) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before start {self.start}")
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"span [{self.start}:{self.end}] has length {self.end - self.start} "
                f"but its text has length {len(self.text)}"
            )
        context = info.context if isinstance(info.context, dict) else None
        source = context.get("text") if context else None
        if isinstance(source, str) and source[self.start : self.end] != self.text:
            raise ValueError(
                f"span [{self.start}:{self.end}] text {self.text!r} does not match the "
                f"article text {source[self.start : self.end]!r}"
            )
        return self


class Speaker(_Model):
    """Who made a claim, as resolved against the article's speaker registry."""

    id: str = Field(description="Registry key of this speaker within the article.")
    name: str = Field(description="Canonical full name, e.g. 'Antony Blinken', not 'he'.")
    mention: Span | None = Field(
        None, description="The mention of the speaker that this claim is attributed to."
    )
    role: str | None = Field(None, description="Role or title as the article states it.")
    affiliation: str | None = Field(None, description="Organisation or country, as stated.")
    kind: SpeakerKind = "unknown"


class SpeakerProfile(_Model):
    """A registry entry: one real-world source with every mention of it in the article."""

    id: str
    name: str
    role: str | None = None
    affiliation: str | None = None
    kind: SpeakerKind = "unknown"
    aliases: list[str] = Field(default_factory=list, description="Distinct surface forms seen.")
    mentions: list[Span] = Field(default_factory=list, description="Every mention, in order.")


class Stance(_Model):
    """The speaker's attitude toward one target, as this claim expresses it."""

    target: str = Field(
        description="A requested target as the caller first wrote it; otherwise the canonical "
        "name of an entity the article names (listed in ``Extraction.targets``), or, from a "
        "capable model, a phrase the article contains."
    )
    label: StanceLabel
    confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="How probable ``label`` is. basis 'model': the model's probability of its "
        "answer among positive/negative/neutral, read from token log-probabilities. "
        "'model+lexicon': P(favor) or P(against) of a logistic combination of the model's "
        "log-odds and the lexicon score, fitted on BASIL quoted spans (classes weighted equally, "
        "threshold at best favor/against macro-F1). "
        "'lexicon': a logistic curve of the lexicon score's distance from its favor threshold. "
        "'speaker': a claim about the target without sentiment words that takes the stance of "
        "the same speaker's favor/against claims toward it in this article: (k + 1) / (n + 2) "
        "for k of those n claims agreeing, never above the strongest of them. "
        "Null when nothing measured it: a neutral claim without sentiment words, an endpoint "
        "without log-probabilities, a label a model wrote. Never a made-up constant.",
    )
    basis: StanceBasis | None = Field(
        None, description="What decided the label and its confidence."
    )
    evidence: Span | None = Field(
        None,
        description="The grounded sentence that carries the stance: in this claim, or for "
        "basis 'speaker' in the speaker's other claim it was taken from.",
    )


class Target(_Model):
    """Something stances are judged toward: requested by the caller, or found in the article."""

    name: str = Field(description="Canonical name, e.g. 'Barack Obama', 'US–China cooperation'.")
    kind: TargetKind = Field(
        description="'given' for a requested target; otherwise what the article names."
    )
    salience: float = Field(
        0.0,
        ge=0.0,
        description="How prominent the target is in the article (mentions, "
        "headline, position); higher is more salient. 0 for requested targets.",
    )
    aliases: list[str] = Field(default_factory=list, description="Distinct surface forms seen.")
    mentions: list[Span] = Field(
        default_factory=list, description="Where the article names it (may be empty for topics)."
    )


class Claim(_Model):
    id: str = Field(description="Stable within the article: derived from the quote offsets.")
    quote: Span = Field(
        description="The attributed content; for direct quotes it includes the quotation "
        "marks. When the quote is interrupted by its cue, it runs from the first part's "
        "start to the last part's end and `quote_parts` lists the parts."
    )
    quote_parts: list[Span] = Field(
        default_factory=list, description="The pieces of a discontinuous quote, in order."
    )
    kind: ClaimKind
    claim: str = Field(description="The proposition as a standalone sentence, pronouns resolved.")
    cue: Span | None = Field(None, description="The attribution cue, e.g. 'said', 'according to'.")
    speaker: Speaker
    stances: list[Stance] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = Field(0, description="HTTP requests sent, including retries and re-asks.")
    retries: int = Field(0, description="Transport retries (429, 5xx, timeouts).")
    reasks: int = Field(0, description="Re-asks after a response failed validation.")
    cache_hit: bool = Field(False, description="True when no request had to be sent.")
    cached_calls: int = Field(0, description="LLM decisions answered from the cache.")

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            calls=self.calls + other.calls,
            retries=self.retries + other.retries,
            reasks=self.reasks + other.reasks,
            cache_hit=self.cache_hit and other.cache_hit,
            cached_calls=self.cached_calls + other.cached_calls,
        )


class ExtractionWarning(_Model):
    """Something the caller should know: output was dropped or degraded, never silently."""

    code: str = Field(description="Machine-readable reason, e.g. 'quote_not_grounded'.")
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Extraction(_Model):
    schema_version: str = SCHEMA_VERSION
    article_id: str
    title: str | None = Field(None, description="The article's title, as given or its first line.")
    source: str | None = Field(None, description="Publisher or outlet, as given with the article.")
    url: str | None = Field(None, description="The article's URL, as given.")
    published: date | datetime | None = Field(
        None, description="Publication date or time, as given with the article."
    )
    claims: list[Claim] = Field(default_factory=list)
    speakers: list[SpeakerProfile] = Field(default_factory=list)
    targets: list[Target] = Field(
        default_factory=list,
        description="The requested targets; without, the article's prominent entities and "
        "every entity a stance is toward, most salient first.",
    )
    model: str
    strategy: Strategy
    prompt_version: str = Field(description="Name@version of every prompt used, comma-separated.")
    usage: Usage = Field(default_factory=Usage)
    warnings: list[ExtractionWarning] = Field(default_factory=list)

    @field_validator("claims")
    @classmethod
    def _claims_in_text_order(cls, claims: list[Claim]) -> list[Claim]:
        return sorted(claims, key=lambda c: (c.quote.start, c.quote.end))

    def spans(self) -> list[Span]:
        """Every span in the extraction, for checks such as ``text[start:end] == text``."""
        found: list[Span] = []
        for claim in self.claims:
            found += [claim.quote, *claim.quote_parts]
            found += [s for s in (claim.cue, claim.speaker.mention) if s is not None]
            found += [st.evidence for st in claim.stances if st.evidence is not None]
        for speaker in self.speakers:
            found += speaker.mentions
        for target in self.targets:
            found += target.mentions
        return found
