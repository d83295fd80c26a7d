"""The error tree: secrets never leave claimstance inside an error message."""

from __future__ import annotations

import pytest

from claimstance.config import Settings
from claimstance.errors import ConfigError, ProviderError, redact


@pytest.mark.parametrize(
    ("raw", "kept", "gone"),
    [
        ("Incorrect API key provided: sk-proj-AbC123xyz789.", "sk-[redacted]", "AbC123xyz789"),
        ("Authorization: Bearer abcdefghijkl123456", "Bearer [redacted]", "abcdefghijkl"),
        (
            "GET http://alice:s3cret@llm.example/v1 failed",
            "http://[redacted]@llm.example",
            "s3cret",
        ),
        ('{"api_key": "0123456789abcdef"}', '"api_key": "[redacted]"', "0123456789"),
    ],
)
def test_keys_and_url_credentials_are_redacted(raw: str, kept: str, gone: str) -> None:
    assert kept in redact(raw) and gone not in redact(raw)


def test_every_error_message_is_redacted_as_it_is_made() -> None:
    error = ProviderError(
        "HTTP 401: Incorrect API key provided: sk-live-123456789", retryable=False
    )
    assert "123456789" not in str(error) and "123456789" not in str(error.to_dict())
    assert "s3cret" not in str(ConfigError("cannot reach http://bob:s3cret@host/v1"))


def test_the_endpoint_identity_in_job_files_and_cache_keys_has_no_credentials() -> None:
    settings = Settings.from_env({}, base_url="http://bob:s3cret@llm.example:8000/v1")
    assert settings.endpoint_family == "http://llm.example:8000/v1"
