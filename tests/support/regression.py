"""Shared setup for the recorded-cassette regression tests and the re-recording command.

Recording talks to the real embedded llama.cpp server (SmolLM2-135M-Instruct) through
``--record``'s recorder; replay sends the identical requests to a placeholder host and
``--replay``'s replayer answers them from ``cassettes/`` in strict mode (method, URL
path, body). The settings below are the same in both, so request bodies match exactly.
"""

from __future__ import annotations

import os
from pathlib import Path

from claimstance.config import EMBEDDED_MODEL_NAME, Settings
from tests.support.paths import ROOT
from tests.support.paths import SEEDS as SEED_DIR

CASSETTES = ROOT / "cassettes"
EXPECTED = ROOT / "tests" / "expected"
SEEDS = sorted(SEED_DIR.glob("*.txt"))
STRATEGIES = ("guided", "article")
TARGETS = ["US–China cooperation"]
PLACEHOLDER_URL = "http://embedded.claimstance.test/v1"
RECORD_COMMAND = ".venv/bin/python -m tests.support.record"
RECORDING = os.environ.get("CLAIMSTANCE_TEST_RECORD") == "1"
#: Replay the recordings as they are and rewrite only tests/expected/ (code changes).
UPDATING_EXPECTED = os.environ.get("CLAIMSTANCE_UPDATE_EXPECTED") == "1"


def regression_settings(strategy: str, base_url: str, cache_dir: Path, **taping: Path) -> Settings:
    """Settings for both recording and replay; only ``base_url`` (and ``record_dir`` or
    ``replay_dir``) differ between them."""
    return Settings.from_env(
        {},
        base_url=base_url,
        model=EMBEDDED_MODEL_NAME,
        strategy=strategy,
        stance_method="combined",  # what the embedded default resolves to
        llm_mode="tools",
        cache_dir=cache_dir,
        cache_enabled=False,
        concurrency=1,  # sequential requests: identical usage figures on replay
        transport_retries=0,
        max_reasks=1,
        max_tokens=1024,
        chunk_chars=3000,
        chunk_overlap=400,
        timeout=600,
        **taping,
    )
