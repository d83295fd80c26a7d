"""A batch run against the slow in-process fake, as a process the tests can ``kill -9``.

``python -m tests.support.batch_worker INPUT.jsonl OUT_DIR DELAY CONCURRENCY``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from claimstance.batch.engine import run_batch
from claimstance.config import Settings
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from tests.support.batch_fakes import SlowFake


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


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))))
