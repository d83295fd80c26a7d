"""Re-record the regression cassettes and expected outputs against the embedded model.

    .venv/bin/python -m tests.record [pytest -k filter]

Starts the embedded llama.cpp server (SmolLM2-135M-Instruct), deletes and re-records
every cassette in cassettes/, and rewrites tests/expected/*.jsonl. Recordings are never
edited by hand; review `git diff tests/expected/` before committing.
"""

from __future__ import annotations

import os
import sys

import pytest

if __name__ == "__main__":
    os.environ["CLAIMSTANCE_RECORD"] = "1"
    extra = ["-k", sys.argv[1]] if len(sys.argv) > 1 else []
    sys.exit(
        pytest.main(["tests/test_regression.py", "--record-mode=rewrite", "-p", "no:randomly", "-q", *extra])
    )
