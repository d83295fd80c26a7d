"""Re-record the regression cassettes and expected outputs against the embedded model.

    .venv/bin/python -m tests.support.record [-k FILTER]      # re-record cassettes + expected
    .venv/bin/python -m tests.support.record --expected-only  # replay, rewrite expected only

The first starts the embedded llama.cpp server (SmolLM2-135M-Instruct), re-records
every cassette in cassettes/ with the recorder users have (``--record``), and rewrites
tests/expected/*.jsonl. The second
is for code changes that alter outputs but not requests (grounding, assembly): it
replays the recordings strictly and rewrites only the expected outputs. Recordings are
never edited by hand; review `git diff tests/expected/` before committing.
"""

from __future__ import annotations

import os
import sys

import pytest


def main(argv: list[str]) -> int:
    args = ["tests/pipeline/test_regression.py", "-q", "-p", "no:cacheprovider"]
    if "--expected-only" in argv:
        argv.remove("--expected-only")
        os.environ["CLAIMSTANCE_UPDATE_EXPECTED"] = "1"
    else:
        os.environ["CLAIMSTANCE_TEST_RECORD"] = (
            "1"  # the tests record (--record) instead of replaying
        )
    return pytest.main([*args, *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
