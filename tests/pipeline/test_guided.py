"""The guided strategy against the fake endpoint: constrained decisions, grounded spans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from claimstance.config import Settings
from claimstance.detect.detector import detect_claims
from claimstance.pipeline import guided
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Extraction
from tests.support.fake_llm import FakeLLM

TEXT = (
    "Talks resumed in Beijing on Friday.\n\n"
    "“We both agree on the need to stabilise our relationship,” Secretary of State Antony "
    "Blinken told reporters.\n\n"
    "Foreign Minister Wang Yi warned that the United States must stop interfering.\n\n"
    "Blinken met Wang Yi for five hours. “Progress is possible,” one of them said later."
)


def decide(request: dict[str, Any]) -> dict[str, Any]:
    schema = request["tools"][0]["function"]["parameters"]
    properties = schema["properties"]
    if "target" in properties:
        return {"target": "bilateral relations", "label": "favor"}
    user = request["messages"][-1]["content"]
    return {"label": "against" if "interfering" in user else "favor"}


def run(settings: Settings, fake: FakeLLM, **kwargs: Any) -> Extraction:
    with Extractor(settings, http_client_factory=fake.client) as extractor:
        return extractor.extract(TEXT, **kwargs)


def test_guided_claims_are_detected_grounded_and_decided(
    make_settings: Callable[..., Settings],
) -> None:
    fake = FakeLLM(decide)
    extraction = run(make_settings(strategy="guided"), fake, targets=["US–China cooperation"])
    Extraction.model_validate(extraction.model_dump(), context={"text": TEXT})
    assert extraction.strategy == "guided"
    assert extraction.prompt_version == "guided_stance@1"
    by_quote = {c.quote.text: c for c in extraction.claims}
    direct = by_quote["“We both agree on the need to stabilise our relationship,”"]
    assert direct.kind == "direct" and direct.speaker.name == "Antony Blinken"
    assert direct.cue is not None and direct.cue.text == "told"
    assert direct.quote.alignment == "detected"
    assert [(s.target, s.label) for s in direct.stances] == [("US–China cooperation", "favor")]
    indirect = next(c for c in extraction.claims if c.kind == "indirect")
    assert indirect.speaker.name == "Wang Yi"
    assert indirect.stances[0].label == "against"
    assert "the United States must stop interfering" in indirect.quote.text
    # Every stance was asked as a constrained choice.
    stance_requests = [r for r in fake.requests if "label" in str(r["tools"])]
    assert len(stance_requests) >= 2
    assert extraction.usage.calls == len(fake.requests)


def test_the_detector_picks_the_speaker_and_the_model_only_labels(
    make_settings: Callable[..., Settings],
) -> None:
    fake = FakeLLM(decide)
    extraction = run(make_settings(strategy="guided"), fake, targets=["US–China cooperation"])
    asked = [r["tools"][0]["function"]["parameters"]["properties"] for r in fake.requests]
    assert asked and all("label" in p and "speaker" not in p for p in asked)
    assert len(fake.requests) == len(extraction.claims)  # one stance call per claim and target


def test_without_targets_the_model_names_the_target(make_settings: Callable[..., Settings]) -> None:
    fake = FakeLLM(decide)
    extraction = run(make_settings(strategy="guided"), fake)
    for claim in extraction.claims:
        assert [(s.target, s.label) for s in claim.stances] == [("bilateral relations", "favor")]


def test_text_without_claims_makes_no_calls(make_settings: Callable[..., Settings]) -> None:
    fake = FakeLLM(decide)
    with Extractor(make_settings(strategy="guided"), http_client_factory=fake.client) as ex:
        extraction = ex.extract("The weather was mild. Markets closed higher on Monday.")
    assert extraction.claims == [] and fake.requests == []
    assert extraction.usage.calls == 0


def test_breadcrumb_is_not_a_speaker_and_single_parts_are_not_listed(
    make_settings: Callable[..., Settings],
) -> None:
    text = "Home » US and China pledge to stabilise tense relationship after talks\n\nBody."
    fake = FakeLLM(decide)
    extraction = run_text(make_settings(strategy="guided"), fake, text)
    assert extraction.claims, "the headline's reported pledge is a claim"
    claim = extraction.claims[0]
    assert claim.speaker.name != "Home"
    assert claim.quote_parts == []


def run_text(settings: Settings, fake: FakeLLM, text: str) -> Extraction:
    with Extractor(settings, http_client_factory=fake.client) as extractor:
        return extractor.extract(text, targets=["US–China cooperation"])


def test_parser_unavailable_is_a_warning(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guided, "parser_problem", lambda: "spaCy is not installed")
    extraction = run_text(make_settings(strategy="guided"), FakeLLM(decide), "No claims here.")
    assert [w.code for w in extraction.warnings] == ["parser_unavailable"]
    assert "spaCy is not installed" in extraction.warnings[0].message


def test_proposition_keeps_a_quotation_s_words_and_a_mixed_claim_s_marks() -> None:
    text = '"That will be our answer," the envoy added. She said the plan was "bold and wise".'
    claims = [c for c in detect_claims(text) if not c.is_fragment]
    assert [guided.proposition(text, c) for c in claims] == [
        "That will be our answer",
        'The plan was "bold and wise"',
    ]


def test_layout_lines_give_no_claims_and_a_title_counts_once(
    make_settings: Callable[..., Settings],
) -> None:
    text = (
        "Home » World » Ministers pledge to rebuild the old harbour\n"
        "Asia Europe Featured Global News Politics World News Business\n\n"
        "Ministers pledge to rebuild the old harbour\n\n"
        "The port authority said the work would start in May."
    )
    extraction = run_text(make_settings(strategy="guided"), FakeLLM(decide), text)
    quotes = [c.quote.text for c in extraction.claims]
    assert quotes.count("to rebuild the old harbour") == 1
    assert all("Featured" not in q and "Home" not in q for q in quotes)
    assert "the work would start in May" in quotes


def test_an_article_too_long_to_parse_says_so(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guided, "MAX_PARSE_CHARS", 10)
    extraction = run_text(
        make_settings(strategy="guided"), FakeLLM(decide), "No claims here at all."
    )
    assert [w.code for w in extraction.warnings] == ["parser_unavailable"]
    assert "longer than 10 characters" in extraction.warnings[0].message
