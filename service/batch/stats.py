"""Accounting for batch jobs: counters, token usage, cost from a price table, the summary.

Prices are USD per million input/output tokens, from ``batch/prices.json`` (package
data) or given explicitly; a model matches its longest listed prefix, so dated snapshots
(``gpt-4o-mini-2024-07-18``) find their family. Unknown models have no cost, not a guess.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from claimstance.errors import EXIT_BUDGET, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from claimstance.schemas.models import Usage


@dataclass(frozen=True)
class Price:
    """USD per one million tokens."""

    input: float
    output: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


@functools.cache
def _table() -> dict[str, Any]:
    raw = resources.files("claimstance.batch").joinpath("prices.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def price_for(
    model: str,
    *,
    price_in: float | None = None,
    price_out: float | None = None,
    provider_batch: bool = False,
) -> Price | None:
    """The price of ``model``; explicit prices win; None when the model is not listed."""
    table = _table()
    models: dict[str, dict[str, float]] = table["models"]
    best = max((name for name in models if model.startswith(name)), key=len, default=None)
    listed = models.get(best) if best else None
    if price_in is None and price_out is None and listed is None:
        return None
    factor = float(table.get("batch_discount", 1.0)) if provider_batch and listed else 1.0
    return Price(
        input=price_in if price_in is not None else (listed or {}).get("input", 0.0) * factor,
        output=price_out if price_out is not None else (listed or {}).get("output", 0.0) * factor,
    )


@dataclass
class BatchStats:
    """Live counters of one run (what the progress display shows)."""

    total: int | None = None  # articles in the input, when it can be counted
    done: int = 0  # extracted in this run
    failed: int = 0  # failed in this run (input or extraction)
    cached: int = 0  # done in this run without any request (response cache)
    skipped: int = 0  # already done or already failed in an earlier run
    duplicates: int = 0  # same id and text as an earlier input article
    in_flight: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    retries: int = 0
    reasks: int = 0
    cached_calls: int = 0
    #: Tokens of articles that made requests (for the budget's per-article estimate).
    paid_articles: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped + self.duplicates

    def add_usage(self, usage: Usage) -> None:
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.calls += usage.calls
        self.retries += usage.retries
        self.reasks += usage.reasks
        self.cached_calls += usage.cached_calls
        if usage.calls:
            self.paid_articles += 1

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def rate(self) -> float:
        """Articles processed (done or failed) per second in this run."""
        elapsed = self.elapsed()
        return (self.done + self.failed) / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        rate = self.rate()
        if self.total is None or rate <= 0:
            return None
        return max(self.total - self.finished, 0) / rate


@dataclass
class BatchSummary:
    """The outcome of one run; ``to_dict`` is what ``summary.json`` holds."""

    out_dir: str
    model: str
    stats: BatchStats
    #: "complete", "budget" (stopped before the budget ran out), "interrupted"
    stopped: str = "complete"
    job_failed: int = 0  # articles failed in the job as a whole (this run and earlier)
    job_done: int = 0
    job_prompt_tokens: int = 0
    job_completion_tokens: int = 0
    claim_rows: int = 0
    price: Price | None = None
    budget_tokens: int | None = None

    @property
    def cost(self) -> float | None:
        if self.price is None:
            return None
        return self.price.cost(self.stats.prompt_tokens, self.stats.completion_tokens)

    @property
    def job_cost(self) -> float | None:
        if self.price is None:
            return None
        return self.price.cost(self.job_prompt_tokens, self.job_completion_tokens)

    @property
    def exit_code(self) -> int:
        if self.stopped == "interrupted":
            return EXIT_INTERRUPTED
        if self.stopped == "budget":
            return EXIT_BUDGET
        return EXIT_FAILED if self.job_failed else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        stats = asdict(self.stats)
        stats.pop("started")
        stats["seconds"] = round(self.stats.elapsed(), 3)
        return {
            "out_dir": self.out_dir,
            "model": self.model,
            "stopped": self.stopped,
            "exit_code": self.exit_code,
            "run": stats,
            "job": {
                "done": self.job_done,
                "failed": self.job_failed,
                "prompt_tokens": self.job_prompt_tokens,
                "completion_tokens": self.job_completion_tokens,
                "cost_usd": _round(self.job_cost),
            },
            "claim_rows": self.claim_rows,
            "budget_tokens": self.budget_tokens,
            "price_per_million": asdict(self.price) if self.price else None,
            "cost_usd": _round(self.cost),
        }

    def line(self) -> str:
        """The one-line summary printed at the end of every run."""
        s = self.stats
        parts = [
            f"{s.done} done ({s.cached} cached)",
            f"{s.failed} failed",
            f"{s.skipped} skipped",
        ]
        if s.duplicates:
            parts.append(f"{s.duplicates} duplicates")
        parts.append(
            f"{s.tokens:,} tokens in {s.calls} calls ({s.retries} retries, {s.reasks} re-asks)"
        )
        if self.cost is not None:
            parts.append(f"${self.cost:.4f}")
        parts.append(f"{s.elapsed():.1f}s")
        head = {"complete": "batch", "budget": "batch stopped (token budget)"}.get(
            self.stopped, f"batch {self.stopped}"
        )
        tail = f"; job: {self.job_done} done, {self.job_failed} failed"
        return f"{head}: " + ", ".join(parts) + tail


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
