"""Recorded LLM traffic for processes the test cannot patch (Ray actors): strict replay.

The recording is a cassette made by the recorder users have (``--record``) and answered
by the same replayer (``--replay``): ``ReplayFactory`` is picklable and builds an httpx
client whose transport answers from the cassette; a request it has no recording of gets
404 with where it differs.

Re-record (after a prompt or schema change): ``python -m tests.support.replay``.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import httpx

from claimstance.config import Settings
from claimstance.inputs import read_articles
from claimstance.llm.recording import CASSETTE, Replayer
from claimstance.pipeline.extractor import Extractor
from tests.support.batch_fakes import TARGET, grounded
from tests.support.fake_llm import BASE_URL, FakeLLM
from tests.support.paths import ROOT, SEEDS

RECORDING = ROOT / "tests" / "data" / "seeds_article_traffic.yaml"


class ReplayFactory:
    """``http_client_factory`` replaying ``path`` strictly."""

    def __init__(self, path: Path = RECORDING) -> None:
        self.path = str(path)

    def __call__(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=Replayer(Path(self.path)))


def record(targets: list[str]) -> int:
    """Run the article strategy over the seeds against the grounded fake and record it."""
    fake = FakeLLM(grounded)
    directory = Path(tempfile.mkdtemp(prefix="claimstance-record-"))
    settings = Settings.from_env(
        {},
        base_url=BASE_URL,
        api_key="sk-test",
        model="fake-model",
        strategy="article",
        cache_enabled=False,
        record_dir=directory,
    )

    async def go() -> int:
        extractor = Extractor(settings, http_client_factory=fake.client)
        for item in read_articles([str(SEEDS)]):
            assert not isinstance(item, Exception)
            await extractor.aextract(item, targets=targets)
        await extractor.aclose()
        recorder = extractor.context.recorder
        extractor.close()
        return recorder.count if recorder else 0

    count = asyncio.run(go())
    shutil.move(str(directory / CASSETTE), RECORDING)
    shutil.rmtree(directory)
    return count


if __name__ == "__main__":
    print(record([TARGET]), "requests recorded in", RECORDING)
