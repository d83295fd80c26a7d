"""The output contract: JSON Schema exports, span validation, the public API."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

import claimstance
from claimstance.schemas.export import EXPORTS, JSON_DIR, render
from claimstance.schemas.models import Span


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_exported_json_schema_matches_the_models(name: str) -> None:
    path = JSON_DIR / name
    assert path.exists(), f"{path} is missing: run `claimstance schema`"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(render(EXPORTS[name])), (
        f"{path} drifted from the models: run `claimstance schema` and review the diff"
    )


def test_span_must_match_the_article_text() -> None:
    text = "He said “yes”."
    assert Span.model_validate({"text": "“yes”", "start": 8, "end": 13}, context={"text": text})
    with pytest.raises(ValidationError, match="does not match"):
        Span.model_validate({"text": "“yes”", "start": 7, "end": 12}, context={"text": text})
    with pytest.raises(ValidationError, match="length"):
        Span(text="abc", start=0, end=2)
    with pytest.raises(ValidationError):
        Span(text="", start=5, end=4)


def test_public_api_is_locked() -> None:
    assert claimstance.__all__ == sorted(claimstance.__all__)
    assert claimstance.__all__ == [
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
    for name in claimstance.__all__:
        assert hasattr(claimstance, name)


def test_errors_share_one_base() -> None:
    for name in ("ConfigError", "ExtractionError", "GroundingError", "InputError", "ProviderError"):
        assert issubclass(getattr(claimstance, name), claimstance.ClaimstanceError)
