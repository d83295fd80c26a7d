"""The structured-call client: instructor's async-validator check, remembered per model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from instructor.v2.validation import async_validators
from pydantic import BaseModel

from claimstance.config import Settings
from claimstance.llm.client import LLMClient, RememberedCheck
from tests.support.fake_llm import FakeLLM


class Verdict(BaseModel):
    label: str


class AsyncChecked(BaseModel):
    label: str

    @async_validators.async_field_validator("label")
    async def check_label(self, value: str) -> str:
        return value


def ask(settings: Settings, fake: FakeLLM, model: type[BaseModel]) -> Any:
    async def go() -> Any:
        client = LLMClient(settings, http_client=fake.client())
        try:
            return await client.structured(model, [{"role": "user", "content": "label?"}])
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_a_passing_model_is_walked_once(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    walked: list[Any] = []
    remembered = async_validators.reject_async_validators
    assert isinstance(remembered, RememberedCheck)
    original = remembered.check

    class Fresh(BaseModel):
        label: str

    def counting(model: Any) -> None:
        walked.append(model)
        original(model)

    monkeypatch.setattr(remembered, "check", counting)
    fake = FakeLLM(lambda request: {"label": "ok"})
    for _ in range(3):
        assert ask(make_settings(), fake, Fresh).value.label == "ok"
    assert len(fake.requests) == 3
    assert len(walked) == 1


def test_a_model_with_async_validators_still_fails_every_time(
    make_settings: Callable[..., Settings],
) -> None:
    fake = FakeLLM(lambda request: {"label": "ok"})
    for _ in range(2):
        with pytest.raises(ValueError, match="async validators"):
            ask(make_settings(), fake, AsyncChecked)
    assert fake.requests == []
