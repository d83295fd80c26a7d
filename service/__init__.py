"""claimstance: grounded claim, speaker and stance extraction from news articles.

This module is the public Python API (locked by tests/test_contract.py). The layers below
it, and what each may import, are drawn in docs/architecture.md and checked by lint-imports.

>>> import claimstance
>>> extraction = claimstance.extract("…", targets=["US–China cooperation"])  # doctest: +SKIP
"""

from claimstance.client.http import AsyncClient, Client
from claimstance.config import Settings
from claimstance.errors import (
    ClaimstanceError,
    ConfigError,
    ExtractionError,
    InputError,
    ProviderError,
    ServiceError,
)
from claimstance.pipeline.extractor import Extractor, aextract, extract, extract_many
from claimstance.schemas.models import (
    Article,
    Claim,
    Extraction,
    ExtractionWarning,
    Span,
    Speaker,
    SpeakerProfile,
    Stance,
    Target,
    Usage,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "AsyncClient",
    "Claim",
    "ClaimstanceError",
    "Client",
    "ConfigError",
    "Extraction",
    "ExtractionError",
    "ExtractionWarning",
    "Extractor",
    "InputError",
    "ProviderError",
    "ServiceError",
    "Settings",
    "Span",
    "Speaker",
    "SpeakerProfile",
    "Stance",
    "Target",
    "Usage",
    "__version__",
    "aextract",
    "extract",
    "extract_many",
]
