"""The in-process API for notebooks and scripts: sync calls in a running loop, many at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from claimstance.config import Settings
from claimstance.errors import ClaimstanceError, InputError, ProviderError
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article, Extraction
from tests.support.batch_fakes import SlowFake
from tests.support.fake_llm import BASE_URL


def _extractor(tmp_path: Path, fake: SlowFake) -> Extractor:
    settings = Settings.from_env(
        {}, base_url=BASE_URL, api_key="sk-test", strategy="article", cache_dir=tmp_path
    )
    return Extractor(settings, http_client_factory=fake.client)


def test_extract_works_inside_a_running_event_loop(tmp_path: Path) -> None:
    """What Jupyter does: a sync call from code that runs on an event loop."""
    with _extractor(tmp_path, SlowFake()) as extractor:

        async def cell() -> Extraction:
            return extractor.extract("“Fine,” she said.")

        extraction = asyncio.run(cell())
        assert extraction.claims and extraction.claims[0].quote.text == "“Fine,”"
        assert extractor.extract("“Again,” he said.").claims  # and outside one, same loop


def test_extract_many_yields_results_and_errors_in_place(tmp_path: Path) -> None:
    articles: list[Article | str] = [
        Article(id=f"n{i}", text=f"“Number {i},” she said.") for i in range(6)
    ]
    articles.insert(2, Article(id="bad", text="FAIL401 “no”, he said."))
    articles.insert(4, "")
    finished: list[tuple[int, int | None]] = []
    with _extractor(tmp_path, SlowFake(delay=0.05)) as extractor:
        results = list(
            extractor.extract_many(
                articles,
                concurrency=3,
                progress=lambda done, total: finished.append((done, total)),
            )
        )
        ordered = list(extractor.extract_many(articles, concurrency=3, ordered=True))
    assert len(results) == 8
    errors = [r for r in results if isinstance(r, ClaimstanceError)]
    assert {type(e) for e in errors} == {ProviderError, InputError}
    assert {e.article_id for e in errors if isinstance(e, ProviderError)} == {"bad"}
    good = sorted(r.article_id for r in results if isinstance(r, Extraction))
    assert good == [f"n{i}" for i in range(6)]
    assert finished[-1] == (8, 8) and [d for d, _ in finished] == list(range(1, 9))
    ids = [r.article_id if isinstance(r, Extraction) else "error" for r in ordered]
    assert ids == ["n0", "n1", "error", "n2", "error", "n3", "n4", "n5"]


def test_extract_many_stops_cleanly_when_the_caller_stops(tmp_path: Path) -> None:
    fake = SlowFake(delay=0.05)
    with _extractor(tmp_path, fake) as extractor:
        texts = [f"“Item {i},” he said." for i in range(50)]
        for n, _ in enumerate(extractor.extract_many(texts, concurrency=2)):
            if n == 2:
                break
        assert len(fake.requests) <= 6
