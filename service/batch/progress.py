"""Progress of a batch run: a rich progress bar on a terminal, plain lines otherwise.

Both show done / failed / cached, tokens, rate and ETA; the total comes from a quick
count of the inputs (text files, non-blank JSONL lines) made in a background thread, and
is unknown for stdin. Reporters throttle themselves; the engine calls ``update`` freely.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from claimstance.batch.stats import BatchStats, BatchSummary
from claimstance.inputs import JSONL_SUFFIXES, input_files


class Reporter(Protocol):
    def update(self, stats: BatchStats) -> None: ...

    def finish(self, summary: BatchSummary) -> None: ...


class NullReporter:
    def update(self, stats: BatchStats) -> None:
        pass

    def finish(self, summary: BatchSummary) -> None:
        pass


def _eta(stats: BatchStats) -> str:
    eta = stats.eta()
    if eta is None:
        return "ETA ?"
    minutes, seconds = divmod(int(eta), 60)
    hours, minutes = divmod(minutes, 60)
    return f"ETA {hours}:{minutes:02d}:{seconds:02d}"


def status_line(stats: BatchStats) -> str:
    total = f"/{stats.total}" if stats.total is not None else ""
    return (
        f"{stats.finished}{total} articles: {stats.done} done, {stats.failed} failed, "
        f"{stats.cached} cached, {stats.skipped} skipped; {stats.tokens:,} tokens, "
        f"{stats.rate():.1f}/s, {_eta(stats)}"
    )


class PlainReporter:
    """One status line every ``interval`` seconds, and the summary at the end."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 10.0) -> None:
        self._stream = stream or sys.stderr
        self._interval = interval
        self._last = time.monotonic()

    def update(self, stats: BatchStats) -> None:
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            print(status_line(stats), file=self._stream, flush=True)

    def finish(self, summary: BatchSummary) -> None:
        print(summary.line(), file=self._stream, flush=True)


class RichReporter:
    """A live progress bar on the terminal (stderr)."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True, highlight=False)
        self._progress = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            TextColumn("{task.completed}/{task.fields[total_text]}"),
            TextColumn(
                "[green]{task.fields[done]} done[/] [red]{task.fields[failed]} failed[/] "
                "[cyan]{task.fields[cached]} cached[/] {task.fields[tokens]} tok "
                "{task.fields[rate]}/s {task.fields[eta]}"
            ),
            TimeElapsedColumn(),
            console=self._console,
            transient=False,
            refresh_per_second=4,
        )
        self._task: TaskID | None = None
        self._last = 0.0

    def update(self, stats: BatchStats) -> None:
        now = time.monotonic()
        if self._task is not None and now - self._last < 0.1:
            return
        self._last = now
        fields: dict[str, Any] = {
            "total_text": "?" if stats.total is None else str(stats.total),
            "done": stats.done,
            "failed": stats.failed,
            "cached": stats.cached,
            "tokens": f"{stats.tokens:,}",
            "rate": f"{stats.rate():.1f}",
            "eta": _eta(stats),
        }
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task("batch", total=stats.total, **fields)
        self._progress.update(self._task, completed=stats.finished, total=stats.total, **fields)

    def finish(self, summary: BatchSummary) -> None:
        if self._task is not None:
            self.update(summary.stats)
            self._progress.refresh()
            self._progress.stop()
        self._console.print(summary.line())


def make_reporter(*, quiet: bool = False, interval: float = 10.0) -> Reporter:
    if quiet:
        return NullReporter()
    if sys.stderr.isatty():
        return RichReporter()
    return PlainReporter(interval=interval)


def count_inputs(paths: Sequence[str]) -> int | None:
    """How many articles the inputs hold, or None when it cannot be known (stdin)."""
    total = 0
    for raw in paths:
        if raw == "-":
            return None
        root = Path(raw)
        if not root.exists():
            total += 1  # reported as one failed input
            continue
        for path in input_files(root):
            total += _count_lines(path) if path.suffix.lower() in JSONL_SUFFIXES else 1
    return total


def _count_lines(path: Path) -> int:
    count = 0
    try:
        with path.open("rb") as f:
            for line in f:
                count += bool(line.strip())
    except OSError:
        return 1
    return count
