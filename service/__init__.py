"""claimstance: grounded claim, speaker and stance extraction from news articles.

>>> import service
>>> extraction = service.extract("…", targets=["US–China cooperation"])  # doctest: +SKIP
"""

from schemas.models import (
    Article,
    Claim,
    Extraction,
    ExtractionWarning,
    Span,
    Speaker,
    SpeakerProfile,
    Stance,
    Usage,
)
from service.config import Settings
from service.errors import (
    ClaimstanceError,
    ConfigError,
    ExtractionError,
    GroundingError,
    InputError,
    ProviderError,
)
from service.pipeline import Extractor, aextract, extract

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Claim",
    "ClaimstanceError",
    "ConfigError",
    "Extraction",
    "ExtractionError",
    "ExtractionWarning",
    "Extractor",
    "GroundingError",
    "InputError",
    "ProviderError",
    "Settings",
    "Span",
    "Speaker",
    "SpeakerProfile",
    "Stance",
    "Usage",
    "__version__",
    "aextract",
    "extract",
]
