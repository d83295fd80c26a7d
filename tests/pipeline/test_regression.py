"""Replaying recorded LLM traffic reproduces the checked-in expected outputs exactly.

The cassettes are replayed by the same mechanism users have (``--replay``:
``claimstance.llm.recording.Replayer``, strict on method, URL path and body) and recorded
by the same recorder (``--record``). Re-record (starts the embedded model, rewrites
cassettes/ and tests/expected/):
    .venv/bin/python -m tests.support.record
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claimstance.errors import ClaimstanceError
from claimstance.llm.recording import CASSETTE
from claimstance.local_model.server import shared_server
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article, Extraction
from tests.support.regression import (
    CASSETTES,
    EXPECTED,
    PLACEHOLDER_URL,
    RECORD_COMMAND,
    RECORDING,
    SEEDS,
    STRATEGIES,
    TARGETS,
    UPDATING_EXPECTED,
    regression_settings,
)


@pytest.fixture
def base_url() -> Iterator[str]:
    if not RECORDING:
        yield PLACEHOLDER_URL
        return

    embedded = regression_settings("guided", PLACEHOLDER_URL, Path("/tmp")).model_copy(
        update={"base_url": None, "n_ctx": 8192}
    )
    yield shared_server(embedded).base_url


def _missing_recording(error: BaseException) -> bool:
    return "no recording of" in str(error)


def _pretty(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True)


def _expected_records(strategy: str) -> dict[str, dict[str, Any]]:
    path = EXPECTED / f"{strategy}.jsonl"
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {r["article_id"]: r for r in map(json.loads, filter(None, lines))}


def _store_expected(strategy: str, record: dict[str, Any]) -> None:
    records = _expected_records(strategy) | {record["article_id"]: record}
    lines = [json.dumps(records[k], ensure_ascii=False, sort_keys=True) for k in sorted(records)]
    EXPECTED.mkdir(parents=True, exist_ok=True)
    (EXPECTED / f"{strategy}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem[:3] for s in SEEDS])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_replay_reproduces_expected_output(
    strategy: str, seed: Path, base_url: str, tmp_path: Path
) -> None:
    article = Article(id=seed.stem, text=seed.read_text(encoding="utf-8"))
    cassette = CASSETTES / f"{strategy}-{seed.stem}.yaml"
    taping = {"record_dir": tmp_path / "rec"} if RECORDING else {"replay_dir": cassette}
    settings = regression_settings(strategy, base_url, tmp_path, **taping)
    try:
        with Extractor(settings) as extractor:
            extraction = extractor.extract(article, targets=TARGETS)
    except ClaimstanceError as e:
        if _missing_recording(e):
            pytest.fail(
                f"{strategy}/{seed.stem}: a request has no recording in cassettes/ — a prompt, "
                f"schema or setting changed since the cassettes were recorded. Re-record with "
                f"`{RECORD_COMMAND}` and review the diff of tests/expected/.",
                pytrace=False,
            )
        raise
    if RECORDING:
        (tmp_path / "rec" / CASSETTE).replace(cassette)
    Extraction.model_validate(extraction.model_dump(), context={"text": article.text})
    record = extraction.model_dump(mode="json")
    if RECORDING or UPDATING_EXPECTED:
        _store_expected(strategy, record)
        return
    stored = _expected_records(strategy).get(seed.stem)
    if stored is None:
        pytest.fail(f"tests/expected/{strategy}.jsonl has no {seed.stem}: run `{RECORD_COMMAND}`")
    produced, expected = _pretty(record), _pretty(stored)
    if produced != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(), produced.splitlines(), "expected", "replayed", lineterm=""
            )
        )
        pytest.fail(
            f"{strategy}/{seed.stem}: replayed output differs from tests/expected/"
            f"{strategy}.jsonl. If the change is intended, run `{RECORD_COMMAND} "
            f"--expected-only` (code change) or `{RECORD_COMMAND}` (prompt or schema change)."
            f"\n{diff[:4000]}",
            pytrace=False,
        )
