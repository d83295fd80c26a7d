"""The article strategy end to end against an in-process fake endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from claimstance.config import Settings
from claimstance.errors import ExtractionError, ProviderError
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Extraction
from tests.support.completions import completion
from tests.support.fake_llm import FakeLLM, article_in, claim


def run(settings: Settings, fake: FakeLLM, text: str, **kwargs: Any) -> Extraction:
    with Extractor(settings, http_client_factory=fake.client) as extractor:
        return extractor.extract(text, **kwargs)


def assert_grounded(extraction: Extraction, text: str) -> None:
    Extraction.model_validate(extraction.model_dump(), context={"text": text})
    for span in extraction.spans():
        assert text[span.start : span.end] == span.text


def test_seed_quotes_are_grounded_with_curly_quotes_and_split_quotes(
    make_settings: Callable[..., Settings], seed_text: Callable[[str], str]
) -> None:
    text = seed_text("003")
    answer = {
        "claims": [
            claim(  # straight quotes where the article has curly ones
                '"I heard the same from my Chinese counterparts," he said. "We both agree on '
                'the need to stabilise our relationship."',
                "Antony Blinken",
                speaker_mention="he",
                cue="said",
                speaker_role="US Secretary of State",
            ),
            claim(
                "“I stressed that… sustained communication at senior levels is the best way to "
                "responsibly manage differences and ensure that competition does not veer into "
                "conflict,”",
                "Antony Blinken",
                speaker_mention="Mr Blinken",
                cue="told reporters",
            ),
            claim(
                "Mr Xi said they had made progress",
                "Xi Jinping",
                kind="indirect",
                speaker_mention="Mr Xi",
                cue="said",
                speaker_role="President",
                speaker_affiliation="China",
            ),
        ]
    }
    fake = FakeLLM(lambda request: answer)
    extraction = run(make_settings(), fake, text)
    assert_grounded(extraction, text)
    assert len(extraction.claims) == 3
    names = {c.speaker.name for c in extraction.claims}
    assert names == {"Antony Blinken", "Xi Jinping"}
    blinken = next(s for s in extraction.speakers if s.name == "Antony Blinken")
    assert {"Mr Blinken", "he"} <= {m.text for m in blinken.mentions}
    assert blinken.role == "US Secretary of State"
    kinds = {c.quote.text[:12]: c.kind for c in extraction.claims}
    assert "indirect" in kinds.values() and "direct" in kinds.values()
    split = next(c for c in extraction.claims if c.quote_parts)
    assert len(split.quote_parts) == 2
    assert split.quote.text.startswith("“I heard") and split.quote.text.endswith("relationship.”")
    assert split.cue is not None and split.cue.text == "said"
    assert split.cue.start > split.quote_parts[0].end
    assert extraction.usage.calls == 1 and not extraction.usage.cache_hit


def test_ungrounded_quote_triggers_a_reask_that_says_why(
    make_settings: Callable[..., Settings], seed_text: Callable[[str], str]
) -> None:
    text = seed_text("003")
    invented = claim('"China will surrender Taiwan tomorrow,"', "Xi Jinping")
    real = claim("“We both agree on the need to stabilise our relationship.”", "Antony Blinken")
    answers = iter([{"claims": [invented, real]}, {"claims": [real]}])
    fake = FakeLLM(lambda request: next(answers))
    extraction = run(make_settings(), fake, text)
    assert len(fake.requests) == 2
    reask = json.dumps(fake.requests[1]["messages"])
    assert "does not occur in the article" in reask
    assert extraction.usage.reasks == 1 and extraction.usage.calls == 2
    assert [c.speaker.name for c in extraction.claims] == ["Antony Blinken"]
    assert extraction.warnings == []


def test_still_ungrounded_quote_is_dropped_with_a_warning(
    make_settings: Callable[..., Settings], seed_text: Callable[[str], str]
) -> None:
    text = seed_text("003")
    invented = claim('"China will surrender Taiwan tomorrow,"', "Xi Jinping")
    real = claim("“We both agree on the need to stabilise our relationship.”", "Antony Blinken")
    fake = FakeLLM(lambda request: {"claims": [invented, real]})
    extraction = run(make_settings(max_reasks=1), fake, text)
    assert len(fake.requests) == 2
    assert len(extraction.claims) == 1
    assert [w.code for w in extraction.warnings] == ["quote_not_grounded"]
    assert "surrender Taiwan" in extraction.warnings[0].message


def test_rate_limit_then_success_honours_retry_after(
    make_settings: Callable[..., Settings], seed_text: Callable[[str], str]
) -> None:
    text = seed_text("003")
    responses: list[Any] = [
        httpx.Response(429, headers={"retry-after": "0"}, json={"error": {"message": "slow"}}),
        httpx.Response(503, json={"error": {"message": "busy"}}),
        {
            "claims": [
                claim("“We both agree on the need to stabilise our relationship.”", "Blinken")
            ]
        },
    ]
    fake = FakeLLM(lambda request: responses.pop(0))
    extraction = run(make_settings(), fake, text)
    assert extraction.usage.calls == 3 and extraction.usage.retries == 2
    assert extraction.usage.reasks == 0
    assert len(extraction.claims) == 1


def test_transport_failures_become_typed_provider_errors(
    make_settings: Callable[..., Settings],
) -> None:
    unauthorized = FakeLLM(lambda r: httpx.Response(401, json={"error": {"message": "bad key"}}))
    with pytest.raises(ProviderError) as raised:
        run(make_settings(), unauthorized, "He said “hello”.")
    assert raised.value.retryable is False and raised.value.status_code == 401
    assert len(unauthorized.requests) == 1  # a 401 is never retried

    overloaded = FakeLLM(lambda r: httpx.Response(500, headers={"retry-after": "0"}))
    with pytest.raises(ProviderError) as raised:
        run(make_settings(transport_retries=2), overloaded, "He said “hello”.")
    assert raised.value.retryable is True
    assert len(overloaded.requests) == 3
    assert isinstance(raised.value.original, Exception)


def test_broken_output_raises_extraction_error_with_last_output(
    make_settings: Callable[..., Settings],
) -> None:
    fake = FakeLLM(lambda r: {"claims": "not a list"})
    with pytest.raises(ExtractionError) as raised:
        run(make_settings(max_reasks=1), fake, "He said “hello”.")
    assert raised.value.attempts == 2
    assert raised.value.last_output is not None and "not a list" in raised.value.last_output
    assert raised.value.usage is not None and raised.value.usage.calls == 2


def test_claims_on_chunk_edges_are_neither_lost_nor_doubled(
    make_settings: Callable[..., Settings],
) -> None:
    paragraphs = []
    quotes = []
    for i in range(12):
        quote = f"“Statement number {i} is about the negotiations in round {i},”"
        quotes.append(quote)
        paragraphs.append(
            f"Background sentence {i} describes the talks in some detail for the reader. "
            f"{quote} said Official{i} Smith{i}, the envoy. More context follows here."
        )
    text = "\n\n".join(paragraphs)

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        chunk = article_in(request)
        found = []
        for i, quote in enumerate(quotes):
            if quote in chunk:
                found.append(claim(quote, f"Official{i} Smith{i}"))
            elif quote[:40] in chunk:  # cut at the chunk's end: the model sees half of it
                found.append(
                    claim(chunk[chunk.index(quote[:40]) :].strip(), f"Official{i} Smith{i}")
                )
        return {"claims": found}

    fake = FakeLLM(answer)
    settings = make_settings(chunk_chars=600, chunk_overlap=250)
    extraction = run(settings, fake, text)
    assert len(fake.requests) > 3
    assert_grounded(extraction, text)
    assert [c.quote.text for c in extraction.claims] == quotes


def test_answer_cut_at_the_token_limit_keeps_its_complete_claims(
    make_settings: Callable[..., Settings],
) -> None:
    text = "Intro.\n\n“First point,” said Ann Lee. “Second point,” said Bo Chan."
    full = json.dumps(
        {"claims": [claim("“First point,”", "Ann Lee"), claim("“Second point,”", "Bo Chan")]}
    )
    cut = full[: full.index("Second") + 3]

    def answer(request: dict[str, Any]) -> httpx.Response:
        body = completion({"claims": []}, request)
        body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = cut
        body["choices"][0]["finish_reason"] = "length"
        return httpx.Response(200, json=body)

    extraction = run(make_settings(), FakeLLM(answer), text)
    assert [c.speaker.name for c in extraction.claims] == ["Ann Lee"]


def test_a_failed_chunk_is_a_warning_when_others_succeed(
    make_settings: Callable[..., Settings],
) -> None:
    paragraphs = [
        f"Paragraph {i} has “quote number {i}” said Speaker Number{i}." for i in range(40)
    ]
    text = "\n\n".join(paragraphs)

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        chunk = article_in(request)
        if "Paragraph 0 " in chunk:
            return {"claims": "garbage"}
        found = [
            claim(f"“quote number {i}”", f"Speaker Number{i}")
            for i in range(40)
            if f"“quote number {i}”" in chunk
        ]
        return {"claims": found}

    extraction = run(
        make_settings(chunk_chars=800, chunk_overlap=100, max_reasks=0), FakeLLM(answer), text
    )
    codes = [w.code for w in extraction.warnings]
    assert codes == ["chunk_failed"]
    assert extraction.warnings[0].detail["window"][0] == 0
    assert len(extraction.claims) > 20
    with pytest.raises(ExtractionError):  # every chunk failing fails the article
        run(make_settings(max_reasks=0), FakeLLM(lambda r: {"claims": "garbage"}), text[:500])


def test_free_text_targets_are_canonicalised_and_stated_confidence_is_not_a_probability(
    make_settings: Callable[..., Settings],
) -> None:
    text = (
        "Senator Mitch McConnell spoke on Monday.\n\n"
        '"President Obama has failed," McConnell said. McConnell later met Obama.'
    )
    stances = [
        {"target": "obama", "label": "against", "confidence": 0.97, "evidence": "failed"},
        {"target": "the economy of Mars", "label": "favor", "confidence": 0.9},
    ]
    quote = '"President Obama has failed,"'
    answer = {"claims": [claim(quote, "Mitch McConnell", cue="said", stances=stances)]}
    extraction = run(make_settings(), FakeLLM(lambda body: answer), text)
    assert_grounded(extraction, text)
    [only] = extraction.claims
    [stance] = only.stances
    assert (stance.target, stance.label, stance.confidence, stance.basis) == (
        "Obama",
        "against",
        None,
        "model",
    )
    assert stance.evidence is not None and stance.evidence.text == "failed"
    assert "stance_target_not_in_article" in [w.code for w in extraction.warnings]
    assert "Obama" in [t.name for t in extraction.targets]


def test_an_answer_cut_off_at_the_token_limit_keeps_its_claims_and_says_so(
    make_settings: Callable[..., Settings], seed_text: Callable[[str], str]
) -> None:
    text = seed_text("003")
    whole = {
        "claims": [
            claim("“We both agree on the need to stabilise our relationship.”", "Antony Blinken")
        ]
    }

    def cut_off(request: dict[str, Any]) -> httpx.Response:
        body = completion(whole, request)
        call = body["choices"][0]["message"]["tool_calls"][0]["function"]
        call["arguments"] = call["arguments"][:-2] + ', {"quote": "“Progress is h'
        body["choices"][0]["finish_reason"] = "length"
        return httpx.Response(200, json=body)

    extraction = run(make_settings(max_reasks=0), FakeLLM(cut_off), text)
    assert [c.speaker.name for c in extraction.claims] == ["Antony Blinken"]
    [warning] = [w for w in extraction.warnings if w.code == "answer_incomplete"]
    assert "cut off" in warning.message
    # The rescued answer is cached with its warning: a second run says the same, no calls.
    again = FakeLLM(cut_off)
    repeat = run(make_settings(max_reasks=0), again, text)
    assert again.requests == [] and "answer_incomplete" in [w.code for w in repeat.warnings]


def test_an_answer_stopped_at_the_token_limit_is_degraded_even_when_it_parses(
    make_settings: Callable[..., Settings],
) -> None:
    """finish_reason "length" with JSON that still parses: the claims after it are missing,
    so the result says so, and says so again when it is answered from the cache."""
    text = "“We will go on,” the minister said. “And on,” her deputy said."

    def answer(request: dict[str, Any]) -> httpx.Response:
        body = completion({"claims": [claim("“We will go on,”", "the minister")]}, request)
        body["choices"][0]["finish_reason"] = "length"
        return httpx.Response(200, json=body)

    fake = FakeLLM(answer)
    settings = make_settings()
    first = run(settings, fake, text)
    again = run(settings, fake, text)
    for extraction in (first, again):
        assert [c.quote.text for c in extraction.claims] == ["“We will go on,”"]
        assert [w.code for w in extraction.warnings] == ["answer_incomplete"]
        assert "CLAIMSTANCE_MAX_TOKENS" in extraction.warnings[0].message
    assert again.usage.cache_hit and len(fake.requests) == 1


def test_a_failed_chunk_counts_the_requests_of_every_chunk(
    make_settings: Callable[..., Settings],
) -> None:
    """One chunk of three fails for good: the article's error counts all three requests."""
    paragraph = "“Line {n} stays,” the mayor said. " + "Filler words go here. " * 30
    text = "\n\n".join(paragraph.format(n=n) for n in range(3))

    def answer(request: dict[str, Any]) -> dict[str, Any] | httpx.Response:
        chunk = article_in(request)
        if "Line 1 stays" in chunk and "Line 0 stays" not in chunk:
            return httpx.Response(401, json={"error": {"message": "no"}})
        return {"claims": []}

    fake = FakeLLM(answer)
    settings = make_settings(chunk_chars=700, chunk_overlap=0, cache_enabled=False)
    with pytest.raises(ProviderError) as failed:
        run(settings, fake, text)
    assert len(fake.requests) >= 3
    assert failed.value.usage is not None
    assert failed.value.usage.calls == len(fake.requests)
