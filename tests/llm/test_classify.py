"""One-token classification: answer-word probabilities from token log-probabilities."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from claimstance.config import Settings
from claimstance.llm.client import LabelResult, LLMClient
from tests.support.fake_llm import FakeLLM

WORDS = ("positive", "negative", "neutral")


def classify(settings: Settings, fake: FakeLLM, request: Any) -> LabelResult:
    async def go() -> LabelResult:
        client = LLMClient(settings, http_client=fake.client())
        try:
            return await client.classify(request, WORDS)
        finally:
            await client.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize(
    "request_", [[{"role": "user", "content": "Stance?"}], "Statement: ... Stance toward X:"]
)
def test_word_mass_is_read_from_the_first_token_s_alternatives(
    make_settings: Callable[..., Settings], request_: Any
) -> None:
    fake = FakeLLM(lambda body: {"probabilities": {"negative": 0.6, "positive": 0.3}})
    result = classify(make_settings(), fake, request_)
    assert result.probabilities == pytest.approx({"positive": 0.3, "negative": 0.6, "neutral": 0.0})
    [sent] = fake.requests
    assert sent["max_tokens"] == 1 and sent["temperature"] == 0.0
    assert ("prompt" in sent) == isinstance(request_, str)  # text goes to /v1/completions
    assert result.usage.calls == 1


def test_an_ambiguous_prefix_counts_for_no_word(make_settings: Callable[..., Settings]) -> None:
    # "ne" begins both "negative" and "neutral": it is not evidence for either.
    fake = FakeLLM(lambda body: {"probabilities": {"ne": 0.5, "Pos": 0.2}})
    result = classify(make_settings(), fake, "Stance toward X:")
    assert result.probabilities == pytest.approx({"positive": 0.2, "negative": 0.0, "neutral": 0.0})


def test_no_log_probabilities_is_none_not_a_made_up_number(
    make_settings: Callable[..., Settings],
) -> None:
    fake = FakeLLM(lambda body: {"probabilities": None})
    assert classify(make_settings(), fake, "Stance toward X:").probabilities is None
    assert classify(make_settings(), fake, [{"role": "user", "content": "?"}]).probabilities is None


def test_llama_cpp_s_own_logprob_layout_and_a_lone_token_are_read_right() -> None:
    from types import SimpleNamespace

    from claimstance.llm.answers import first_token_mass

    # llama.cpp's server writes the completions endpoint's logprobs like chat's, as dicts.
    content = [
        {
            "token": " negative",
            "logprob": -0.2,
            "top_logprobs": [
                {"token": " negative", "logprob": -0.2},
                {"token": " positive", "logprob": -2.0},
            ],
        }
    ]
    response = SimpleNamespace(choices=[{"logprobs": {"content": content}}])
    mass = first_token_mass(response, WORDS)
    assert mass is not None and mass["negative"] > mass["positive"] > 0
    # Only the chosen token, no alternatives: that says nothing of the other answers.
    lone = SimpleNamespace(choices=[{"logprobs": {"content": [{"token": "neg", "logprob": -0.1}]}}])
    assert first_token_mass(lone, WORDS) is None
