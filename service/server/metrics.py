"""Prometheus metrics of one server process (``GET /metrics``), on a registry of its own.

Requests by route and status with a latency histogram; LLM calls, tokens and cache hits
from every Extraction's usage; failures by error code; jobs by state (read from disk at
scrape time, so every process reports the same jobs).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from claimstance.schemas.models import Usage

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Seconds: an extract call on the embedded model takes a few seconds, a cached one ms.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
#: Methods kept as a label; any other is "other" (a made-up method must not add series).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"})


class _JobStates(Collector):
    def __init__(self, states: Callable[[], dict[str, int]]) -> None:
        self._states = states

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("claimstance_jobs", "Jobs by state.", labels=["state"])
        found = self._states()
        for state in ("queued", "running", "done", "failed", "cancelled"):
            family.add_metric([state], found.get(state, 0))
        yield family


class Metrics:
    def __init__(self, job_states: Callable[[], dict[str, int]]) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "claimstance_http_requests",
            "HTTP requests answered.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "claimstance_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.llm_calls = Counter(
            "claimstance_llm_calls", "LLM requests sent (retries included).", registry=self.registry
        )
        self.tokens = Counter(
            "claimstance_llm_tokens", "LLM tokens used.", ["kind"], registry=self.registry
        )
        self.cache_hits = Counter(
            "claimstance_cache_hits",
            "LLM decisions answered from the response cache (or a request in flight).",
            registry=self.registry,
        )
        self.failures = Counter(
            "claimstance_failures",
            "Failed requests by error code.",
            ["code"],
            registry=self.registry,
        )
        self.registry.register(_JobStates(job_states))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def add_usage(self, usage: Usage) -> None:
        self.llm_calls.inc(usage.calls)
        self.tokens.labels("prompt").inc(usage.prompt_tokens)
        self.tokens.labels("completion").inc(usage.completion_tokens)
        self.cache_hits.inc(usage.cached_calls)

    def failure(self, code: str) -> None:
        self.failures.labels(code).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Observe:
    """ASGI middleware: each request's route template, status and duration (plain ASGI,
    not a BaseHTTPMiddleware: no extra task per request, streamed bodies untouched)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def tracking(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            self.metrics.observe_request(scope["method"], route, status, elapsed)
