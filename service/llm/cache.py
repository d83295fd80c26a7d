"""Response cache on disk (diskcache), keyed by everything that can change an answer.

The key hashes the model, the endpoint family (not a local server's random port), the
prompt name and version, the response schema, the strategy, the stance targets, the
sampling parameters and the exact messages (which contain the article text). Changing
any of them misses the cache; repeating a run makes no HTTP calls at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import diskcache

from claimstance.config import Settings
from claimstance.errors import ConfigError
from claimstance.schemas.models import Usage

CACHE_FORMAT = 1


def schema_fingerprint(schema: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


def cache_key(
    settings: Settings,
    *,
    prompt_ref: str,
    schema: dict[str, Any],
    strategy: str,
    targets: Sequence[str],
    messages: Sequence[dict[str, str]],
    params: dict[str, Any] | None = None,
) -> str:
    parts = {
        "format": CACHE_FORMAT,
        "model": settings.resolved_model,
        "endpoint": settings.endpoint_family,
        "prompt": prompt_ref,
        "schema": schema_fingerprint(schema),
        "strategy": strategy,
        "targets": list(targets),
        "params": {
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "max_reasks": settings.max_reasks,
            "mode": settings.llm_mode,
            **(params or {}),
        },
        "messages": list(messages),
    }
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()


class ResponseCache:
    """Validated LLM answers (JSON text) by key. Disabled caches store nothing."""

    def __init__(self, directory: Path | None) -> None:
        self._cache: diskcache.Cache | None = None
        if directory is not None:
            try:
                self._cache = diskcache.Cache(str(directory), size_limit=2**33)
            except OSError as e:
                raise ConfigError(f"cannot open cache directory {directory}: {e}") from e

    @classmethod
    def for_settings(cls, settings: Settings) -> ResponseCache:
        return cls(settings.cache_dir if settings.cache_enabled else None)

    def get(self, key: str) -> str | None:
        if self._cache is None:
            return None
        value = self._cache.get(key)
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        if self._cache is not None:
            self._cache.set(key, value)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()

    async def get_or_compute(
        self, key: str, compute: Callable[[], Awaitable[tuple[str, Usage]]]
    ) -> tuple[str, Usage]:
        """The cached answer with a cache-hit usage, or a fresh one that is then stored."""
        cached = self.get(key)
        if cached is not None:
            return cached, Usage(cache_hit=True, cached_calls=1)
        raw, usage = await compute()
        self.set(key, raw)
        return raw, usage
