"""Where the tests find the repository's data, wherever the test file sits under tests/."""

from __future__ import annotations

from pathlib import Path

#: The repository root (tests/support/paths.py is two levels below it).
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear-dev"
BASIL = ROOT.parent / "shared" / "eval" / "basil-dev"
