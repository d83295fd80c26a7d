"""A batch run against the slow in-process fake, as a process the tests can ``kill -9``.

``python -m tests.support.batch_worker INPUT.jsonl OUT_DIR DELAY CONCURRENCY``
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from claimstance.batch.engine import run_batch
from claimstance.batch.job import sigterm_as_interrupt
from claimstance.config import Settings
from claimstance.errors import EXIT_INTERRUPTED
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from tests.support.batch_fakes import SlowFake
from tests.support.paths import ROOT


async def main(source: str, out: str, delay: float, concurrency: int) -> int:
    settings = Settings.from_env(
        {},
        base_url="http://fake-llm.test/v1",
        api_key="sk-test",
        model="fake-model",
        strategy="article",
        cache_enabled=False,
        concurrency=concurrency,
    )
    fake = SlowFake(delay)
    extractor = Extractor(settings, http_client_factory=fake.client)
    try:
        summary = await run_batch(
            read_articles([source]), Path(out), extractor, concurrency=concurrency
        )
    finally:
        await extractor.aclose()
        extractor.close()
    return summary.exit_code


def worker_command(
    source: Path, out: Path, delay: float = 0.03, concurrency: int = 4
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that run this module as its own process (to be killed)."""
    argv = [sys.executable, "-m", "tests.support.batch_worker", str(source), str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return [*argv, str(delay), str(concurrency)], env


def run(argv: list[str]) -> int:
    """The job, with SIGTERM stopping it as Ctrl-C does (exit code 130)."""
    try:
        with sigterm_as_interrupt():
            return asyncio.run(main(argv[0], argv[1], float(argv[2]), int(argv[3])))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
