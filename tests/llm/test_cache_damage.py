"""A damaged cache is a miss, never a crash: the answer is asked again and replaced."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from claimstance.errors import ConfigError
from claimstance.llm.cache import ResponseCache
from claimstance.schemas.models import Usage


def fetch(cache: ResponseCache, key: str, fresh: str = '{"ok": 1}') -> tuple[str, Usage]:
    async def compute() -> tuple[str, Usage]:
        return fresh, Usage(calls=1)

    return asyncio.run(cache.get_or_compute(key, compute, valid=lambda raw: raw.startswith("{")))


def test_a_cache_directory_that_is_a_file_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "cache"
    path.write_text("not a directory")
    with pytest.raises(ConfigError, match="is a file"):
        ResponseCache(path)


def test_a_garbled_database_is_moved_aside_and_a_new_one_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "cache.db").write_bytes(b"this is not sqlite" * 100)
    cache = ResponseCache(directory)
    try:
        assert fetch(cache, "k")[1].calls == 1
        assert fetch(cache, "k")[1].cache_hit
    finally:
        cache.close()
    assert list(directory.glob("cache.db.corrupt-*"))
    assert "damaged" in caplog.text


def test_an_invalid_cached_answer_is_asked_again_and_replaced(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    try:
        cache.set("k", "garbage that is not JSON")
        raw, usage = fetch(cache, "k")
        assert (raw, usage.calls) == ('{"ok": 1}', 1)
        assert fetch(cache, "k")[1].cache_hit
    finally:
        cache.close()
