"""What the model is asked to return: text only, never offsets.

These field descriptions are sent to the model as part of the JSON schema; they are
prompt text and are reviewed as such. The service grounds every string here against the
article itself; a validator hook in the validation context lets the pipeline reject
(and re-ask about) quotes that do not occur in the article.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from claimstance.schemas.models import ClaimKind, SpeakerKind, StanceLabel

#: A grounding hook: returns one problem sentence per claim that cannot be located.
DraftCheck = Callable[["ArticleDraft"], list[str]]

#: The pipeline sets this around an LLM call so that validation (and hence the re-ask)
#: knows the article text. A context variable rather than instructor's ``context=``,
#: because instructor renders messages as Jinja templates whenever a context is given,
#: which would corrupt articles that contain ``{{`` or ``{%``.
DRAFT_CHECK: ContextVar[DraftCheck | None] = ContextVar("claimstance_draft_check", default=None)


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StanceDraft(_Draft):
    target: str = Field(
        description="What the stance is about. Use the given target wording exactly."
    )
    label: StanceLabel = Field(
        description="favor: the speaker supports or welcomes the target; against: opposes, "
        "criticises or warns about it; neutral: neither, or the claim does not bear on it."
    )
    confidence: float = Field(ge=0.0, le=1.0, description="How sure you are, 0 to 1.")
    evidence: str | None = Field(
        None, description="A short phrase copied verbatim from the quote that shows the stance."
    )


class ClaimDraft(_Draft):
    quote: str = Field(
        description="The attributed words copied verbatim from the article, character for "
        "character, including the quotation marks of a direct quote. Never paraphrase, "
        "translate, shorten with '...' or correct the text."
    )
    kind: ClaimKind = Field(
        description="direct: the speaker's exact words in quotation marks; indirect: reported "
        "speech without quotation marks ('X said that ...'); mixed: paraphrase containing a "
        "quoted fragment."
    )
    speaker: str = Field(
        description="The speaker's canonical full name as the whole article gives it, e.g. "
        "'Antony Blinken' even where this sentence says 'he' or 'the top US diplomat'. An "
        "organisation's name for institutional statements. 'unknown' if the article never says."
    )
    speaker_mention: str | None = Field(
        None,
        description="The words near the quote that refer to the speaker, copied verbatim, e.g. "
        "'Mr Blinken', 'he', 'a senior official'.",
    )
    speaker_role: str | None = Field(
        None, description="The speaker's role or title as the article states it, else null."
    )
    speaker_affiliation: str | None = Field(
        None, description="The organisation or country the speaker represents, else null."
    )
    speaker_kind: SpeakerKind = Field(
        "person", description="person, organization, government, media, anonymous or unknown."
    )
    cue: str | None = Field(
        None,
        description="The attribution verb or phrase copied verbatim, e.g. 'said', 'told "
        "reporters', 'according to'.",
    )
    claim: str = Field(
        description="What the speaker asserts, as one standalone English sentence with "
        "pronouns and references resolved."
    )
    stances: list[StanceDraft] = Field(
        default_factory=list, description="The speaker's stance toward each target."
    )
    topics: list[str] = Field(default_factory=list, description="One to three short topic labels.")


class ArticleDraft(_Draft):
    claims: list[ClaimDraft] = Field(
        default_factory=list,
        description="Every attributed claim in the text, in reading order: direct quotes, "
        "reported speech and mixed quotes. Empty if there are none.",
    )

    @model_validator(mode="before")
    @classmethod
    def _has_claims(cls, data: Any) -> Any:
        """An answer with other fields but no ``claims`` list answered another question:
        re-ask, never read it as "no claims". An empty object is read as no claims."""
        if isinstance(data, dict) and data and not isinstance(data.get("claims"), list):
            raise ValueError('the answer must be an object with a "claims" list')
        return data

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> ArticleDraft:
        context: dict[str, Any] = info.context if isinstance(info.context, dict) else {}
        if context.get("lenient"):
            return self
        check = context.get("check") or DRAFT_CHECK.get()
        if callable(check):
            problems: list[str] = check(self)
            if problems:
                raise ValueError("; ".join(problems))
        return self
