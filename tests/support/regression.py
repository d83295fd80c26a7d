"""Shared setup for the recorded-cassette regression tests and the re-recording command.

Recording talks to the real embedded llama.cpp server (SmolLM2-135M-Instruct); replay
sends the identical requests to a placeholder host, and vcrpy answers them from
``cassettes/`` in strict mode. The settings below are the same in both, so request
bodies match byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
RECORDING = os.environ.get("CLAIMSTANCE_RECORD") == "1"
#: Replay the recordings as they are and rewrite only tests/expected/ (code changes).
UPDATING_EXPECTED = os.environ.get("CLAIMSTANCE_UPDATE_EXPECTED") == "1"


def regression_settings(strategy: str, base_url: str, cache_dir: Path) -> Settings:
    """Settings for both recording and replay; only ``base_url`` differs between them."""
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
    )


def _placeholder(request: Any) -> Any:
    """Record every request as if sent to the placeholder host (the port is random)."""
    _, _, rest = request.uri.partition("/v1/")
    if rest:
        request.uri = f"{PLACEHOLDER_URL}/{rest}"
    return request


VCR_CONFIG: dict[str, Any] = {
    "match_on": ["method", "uri", "body"],
    "filter_headers": ["authorization", "api-key", "x-api-key", "openai-organization"],
    "before_record_request": _placeholder,
    "decode_compressed_response": True,
}
