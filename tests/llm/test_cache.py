"""A repeated run makes no HTTP calls; changing any key part makes calls again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import claimstance.pipeline.article
from claimstance.config import Settings
from claimstance.llm.cache import cache_key
from claimstance.pipeline.extractor import Extractor
from claimstance.prompts import Prompt, load_prompt
from tests.support.fake_llm import FakeLLM, claim

TEXT = "The minister spoke on Monday.\n\n“We will keep talking,” said Minister Jane Roe."


def answer(request: dict[str, Any]) -> dict[str, Any]:
    stance = {"target": "US–China cooperation", "label": "favor", "confidence": 0.8}
    quote = claim(
        "“We will keep talking,”", "Jane Roe", speaker_mention="Jane Roe", stances=[stance]
    )
    return {"claims": [quote]}


def calls_for(settings: Settings, text: str = TEXT, targets: list[str] | None = None) -> int:
    fake = FakeLLM(answer)
    with Extractor(settings, http_client_factory=fake.client) as extractor:
        extraction = extractor.extract(text, targets=targets)
    assert extraction.usage.calls == len(fake.requests)
    assert extraction.usage.cache_hit == (not fake.requests)
    return len(fake.requests)


def test_identical_second_run_makes_no_calls(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    assert calls_for(settings) == 1
    assert calls_for(settings) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"model": "another-model"},
        {"base_url": "http://other-endpoint.test/v1"},
        {"temperature": 0.7},
        {"max_tokens": 1000},
    ],
    ids=lambda change: next(iter(change)),
)
def test_each_setting_in_the_key_misses(
    make_settings: Callable[..., Settings], change: dict[str, Any]
) -> None:
    assert calls_for(make_settings()) == 1
    assert calls_for(make_settings(**change)) == 1


def test_article_text_and_targets_are_in_the_key(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    assert calls_for(settings) == 1
    assert calls_for(settings, text=TEXT + " ") == 1
    assert calls_for(settings, targets=["US–China cooperation"]) == 1
    assert calls_for(settings, targets=["US–China cooperation"]) == 0


def test_prompt_version_is_in_the_key(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings()
    assert calls_for(settings) == 1
    current = load_prompt("article")
    bumped = Prompt(current.name, current.version + "-next", current.system, current.user)
    monkeypatch.setattr(claimstance.pipeline.article, "load_prompt", lambda name: bumped)
    assert calls_for(settings) == 1


def test_schema_is_in_the_key(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings()
    assert calls_for(settings) == 1

    def with_other_schema(settings: Settings, **parts: Any) -> str:
        return cache_key(settings, **{**parts, "schema": {**parts["schema"], "x": 1}})

    monkeypatch.setattr("claimstance.pipeline.context.cache_key", with_other_schema)
    assert calls_for(settings) == 1


def test_strategy_is_in_the_key(make_settings: Callable[..., Settings]) -> None:

    settings = make_settings()
    parts: dict[str, Any] = {
        "prompt_ref": "article@1",
        "schema": {},
        "targets": [],
        "messages": [],
    }
    assert cache_key(settings, strategy="article", **parts) != cache_key(
        settings, strategy="guided", **parts
    )


def test_embedded_endpoint_family_ignores_the_port(tmp_path: Path) -> None:
    settings = Settings.from_env({}, cache_dir=tmp_path)
    assert settings.embedded
    assert settings.endpoint_family.startswith("embedded:")


def test_disabled_cache_always_calls(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(cache_enabled=False)
    assert calls_for(settings) == 1
    assert calls_for(settings) == 1


def test_identical_requests_in_flight_share_one_computation() -> None:
    import asyncio

    from claimstance.llm.cache import ResponseCache
    from claimstance.schemas.models import Usage

    cache = ResponseCache(None)  # single flight works with the cache off too
    computed: list[int] = []

    async def compute() -> tuple[str, Usage]:
        computed.append(1)
        await asyncio.sleep(0.05)
        return '{"ok": true}', Usage(calls=1)

    async def go() -> list[tuple[str, Usage]]:
        return list(await asyncio.gather(*(cache.get_or_compute("k", compute) for _ in range(3))))

    answers = asyncio.run(go())
    assert computed == [1]
    assert [usage.calls for _, usage in answers] == [1, 0, 0]
    assert all(raw == '{"ok": true}' for raw, _ in answers)
    asyncio.run(go())  # nothing is left in flight: a later burst computes again
    assert computed == [1, 1]


def test_a_failed_computation_gives_each_follower_its_own_error() -> None:
    """Callers set the article and add usage to the error they get: a shared object would
    carry the first caller's article to all and count the leader's requests once each."""
    import asyncio

    from claimstance.errors import ProviderError
    from claimstance.llm.cache import ResponseCache
    from claimstance.schemas.models import Usage

    cache = ResponseCache(None)

    async def compute() -> tuple[str, Usage]:
        await asyncio.sleep(0.05)
        error = ProviderError("upstream said 500", retryable=False, status_code=500)
        error.usage = Usage(calls=2)
        raise error

    async def go() -> list[BaseException]:
        tries = [cache.get_or_compute("k", compute) for _ in range(3)]
        return [
            r
            for r in await asyncio.gather(*tries, return_exceptions=True)
            if isinstance(r, BaseException)
        ]

    leader, *followers = asyncio.run(go())
    assert isinstance(leader, ProviderError) and leader.usage == Usage(calls=2)
    assert len({id(e) for e in (leader, *followers)}) == 3
    for error in followers:
        assert isinstance(error, ProviderError)
        assert str(error) == "upstream said 500" and error.retryable is False
        assert error.status_code == 500
        assert error.usage is None and error.article_id is None
