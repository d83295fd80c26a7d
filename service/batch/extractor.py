"""The Extractor a batch job runs: a request limiter sized to the job's concurrency and a
sharded connection pool with at least as many connections.

Used by the engine's parent process and by every worker process, so both extract with
the same settings; it sits below the engine and the workers so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from claimstance.config import Settings
from claimstance.llm.http_pool import pooled_client
from claimstance.pipeline.extractor import Extractor

#: The most requests one job keeps in flight, whatever --concurrency asks for.
MAX_CONCURRENCY = 256


def batch_settings(settings: Settings, concurrency: int) -> Settings:
    """Settings whose per-context request limiter admits ``concurrency`` requests."""
    return settings.model_copy(update={"concurrency": max(1, min(concurrency, MAX_CONCURRENCY))})


def http_client_factory(settings: Settings) -> Callable[[], httpx.AsyncClient]:
    """An httpx client factory whose connections are not fewer than the concurrency."""

    def make() -> httpx.AsyncClient:
        return pooled_client(max(settings.concurrency, 10), settings.timeout)

    return make


def make_extractor(settings: Settings, concurrency: int) -> Extractor:
    tuned = batch_settings(settings, concurrency)
    return Extractor(tuned, http_client_factory=http_client_factory(tuned))
