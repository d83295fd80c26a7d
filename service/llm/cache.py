"""Response cache on disk (diskcache), keyed by everything that can change an answer.

The key hashes the model, the endpoint family (not a local server's random port), the
prompt name and version, the response schema, the strategy, the stance targets, the
sampling parameters and the exact messages (which contain the article text). Changing
any of them misses the cache; repeating a run makes no HTTP calls at all.

The cache is an optimisation, never a source of failure: a corrupt database is moved
aside and a new one started; an entry that cannot be read, or that its caller finds
invalid, is a miss and is replaced; a failed write is skipped. Each is logged once.

Identical requests in flight at once (same key, same event loop) share one computation:
the HTTP service's concurrent duplicates cost one LLM call, not one each. When it fails,
each follower gets a copy of the error without usage or article id (its caller adds its
own), never the leader's object.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pickle
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import diskcache

from claimstance.config import Settings
from claimstance.errors import ClaimstanceError, ConfigError
from claimstance.schemas.models import Usage

CACHE_FORMAT = 1
log = logging.getLogger("claimstance.cache")
#: What reading a damaged entry or database raises inside diskcache.
_DAMAGE = (sqlite3.Error, OSError, UnicodeError, ValueError, EOFError, pickle.UnpicklingError)


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
        self._warned: set[str] = set()
        # Single flight: the answer being computed per (event loop, key). A second
        # identical request waits for it instead of sending its own (cache on or off).
        self._inflight: dict[tuple[int, str], asyncio.Future[tuple[str, Usage]]] = {}
        if directory is not None:
            if directory.exists() and not directory.is_dir():
                raise ConfigError(f"cache directory {directory} is a file (CLAIMSTANCE_CACHE_DIR)")
            try:
                self._cache = self._open(directory)
            except OSError as e:
                raise ConfigError(f"cannot open cache directory {directory}: {e}") from e

    def _open(self, directory: Path) -> diskcache.Cache:
        try:
            return diskcache.Cache(str(directory), size_limit=2**33)
        except sqlite3.DatabaseError as e:
            damaged = directory / "cache.db"
            aside = damaged.with_name(f"cache.db.corrupt-{int(time.time())}")
            if not damaged.exists():
                raise ConfigError(f"cannot open cache directory {directory}: {e}") from e
            damaged.replace(aside)
            self._warn("database", f"the cache database was damaged ({e}); moved to {aside.name}")
            return diskcache.Cache(str(directory), size_limit=2**33)

    def _warn(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning("claimstance cache: %s", message)

    @classmethod
    def for_settings(cls, settings: Settings) -> ResponseCache:
        return cls(settings.cache_dir if settings.cache_enabled else None)

    def get(self, key: str) -> str | None:
        if self._cache is None:
            return None
        try:
            value = self._cache.get(key)
        except _DAMAGE as e:
            self._warn("read", f"an entry could not be read ({type(e).__name__}); asking again")
            return None
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        if self._cache is None:
            return
        try:
            self._cache.set(key, value)
        except _DAMAGE as e:
            self._warn("write", f"an answer could not be stored ({e}); going on without it")

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()

    async def get_or_compute(
        self,
        key: str,
        compute: Callable[[], Awaitable[tuple[str, Usage]]],
        *,
        valid: Callable[[str], bool] | None = None,
    ) -> tuple[str, Usage]:
        """The cached answer with a cache-hit usage, or a fresh one that is then stored.
        ``valid``: whether a cached answer is usable; one that is not is replaced."""
        cached = self.get(key)
        if cached is not None:
            if valid is None or valid(cached):
                return cached, Usage(cache_hit=True, cached_calls=1)
            self._warn("invalid", "a cached answer was not valid; asking again")
        slot = (id(asyncio.get_running_loop()), key)
        pending = self._inflight.get(slot)
        if pending is not None:
            try:
                raw, _ = await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
                return await self.get_or_compute(key, compute, valid=valid)  # leader cancelled
            except Exception as e:
                raise _follower_copy(e) from e.__cause__
            return raw, Usage(cache_hit=True, cached_calls=1)
        future: asyncio.Future[tuple[str, Usage]] = asyncio.get_running_loop().create_future()
        self._inflight[slot] = future
        try:
            raw, usage = await compute()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: no "never retrieved" log when nobody waits
            raise
        finally:
            del self._inflight[slot]
        future.set_result((raw, usage))
        self.set(key, raw)
        return raw, usage


def _follower_copy(error: Exception) -> Exception:
    """The leader's failure for one follower: a copy of its own (callers set the article
    and add usage to the error they get), with no usage (the follower sent no request) and
    no article (the leader's is not this one's). Made without calling ``__init__``, whose
    arguments some errors do not keep."""
    copy = type(error).__new__(type(error))
    copy.args = error.args
    copy.__dict__.update(error.__dict__)
    if isinstance(error, ClaimstanceError):
        copy.__dict__["article_id"] = None
    if "usage" in copy.__dict__ or hasattr(type(error), "usage"):
        copy.__dict__["usage"] = None
    return copy
