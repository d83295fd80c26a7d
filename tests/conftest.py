from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from claimstance.config import Settings
from tests.support.fake_llm import BASE_URL
from tests.support.paths import SEEDS


@pytest.fixture
def seed_text() -> Callable[[str], str]:
    def read(prefix: str) -> str:
        path = next(SEEDS.glob(f"{prefix}_*.txt"))
        return path.read_text(encoding="utf-8")

    return read


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "base_url": BASE_URL,
            "api_key": "sk-test-not-a-real-key",
            "model": "fake-model",
            "cache_dir": tmp_path / "cache",
            "strategy": "article",
        }
        values.update(overrides)
        return Settings.from_env({}, **values)

    return build
