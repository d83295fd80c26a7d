"""What the Python API does with bad input: a typed InputError, or a documented normalisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from claimstance.config import Settings
from claimstance.errors import InputError
from claimstance.pipeline.extractor import Extractor, as_targets
from tests.support.fake_llm import FakeLLM


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, "got NoneType"),
        (123, "got int"),
        (b"bytes", "decode bytes to str first"),
        ("text with a lone \ud800 surrogate", "lone surrogate"),
        ("   ", "empty"),
    ],
)
def test_bad_articles_are_input_errors(
    make_settings: Callable[..., Settings], bad: Any, message: str
) -> None:
    fake = FakeLLM(lambda body: {"claims": []})
    extractor = Extractor(make_settings(), http_client_factory=fake.client)
    with extractor, pytest.raises(InputError, match=message):
        extractor.extract(bad)
    assert fake.requests == []


def test_targets_are_normalised_or_refused() -> None:
    assert as_targets("US–China cooperation", source="a") == ["US–China cooperation"]
    assert as_targets(["Obama", "obama ", "", "—"], source="a") == ["Obama"]
    assert as_targets(None, source="a") == []
    with pytest.raises(InputError, match="must be a str"):
        as_targets([None], source="a")  # type: ignore[list-item]
    with pytest.raises(InputError, match="10,000 characters"):
        as_targets(["x" * 10_000], source="a")


def test_an_article_over_the_size_limit_is_refused_before_any_call(
    make_settings: Callable[..., Settings],
) -> None:
    fake = FakeLLM(lambda body: {"claims": []})
    extractor = Extractor(make_settings(max_article_chars=100), http_client_factory=fake.client)
    with extractor, pytest.raises(InputError, match="more than the 100 allowed"):
        extractor.extract("x said y. " * 20)
    assert fake.requests == []
