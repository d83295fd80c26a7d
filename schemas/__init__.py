"""The output contract of claimstance (Pydantic v2 models) and what the model is asked for.

The bottom layer: imports nothing of claimstance. ``json/`` holds the exported JSON Schema.
"""

from claimstance.schemas.drafts import ArticleDraft, ClaimDraft, StanceDraft
from claimstance.schemas.models import (
    SCHEMA_VERSION,
    AlignmentMethod,
    Article,
    Claim,
    ClaimKind,
    Extraction,
    ExtractionWarning,
    Span,
    Speaker,
    SpeakerKind,
    SpeakerProfile,
    Stance,
    StanceBasis,
    StanceLabel,
    Strategy,
    Target,
    TargetKind,
    Usage,
    article_id_for,
)

__all__ = [
    "SCHEMA_VERSION",
    "AlignmentMethod",
    "Article",
    "ArticleDraft",
    "Claim",
    "ClaimDraft",
    "ClaimKind",
    "Extraction",
    "ExtractionWarning",
    "Span",
    "Speaker",
    "SpeakerKind",
    "SpeakerProfile",
    "Stance",
    "StanceBasis",
    "StanceDraft",
    "StanceLabel",
    "Strategy",
    "Target",
    "TargetKind",
    "Usage",
    "article_id_for",
]
