"""The output contract: JSON Schema exports, span validation, the public API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    for name in claimstance.__all__:
        assert hasattr(claimstance, name)


def test_errors_share_one_base() -> None:
    for name in ("ConfigError", "ExtractionError", "InputError", "ProviderError"):
        assert issubclass(getattr(claimstance, name), claimstance.ClaimstanceError)


def test_a_users_own_service_folder_does_not_shadow_the_library(tmp_path: Path) -> None:
    """The one import name: a project's ``service/``, ``schemas/`` or ``prompts/`` is its own."""
    for name in ("service", "schemas", "prompts"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    probe = "import claimstance, claimstance.cli; print(claimstance.extract.__module__)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "claimstance.pipeline.extractor"
