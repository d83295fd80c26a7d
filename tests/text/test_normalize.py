"""Normalisation: folded marks, dashes and whitespace, with a map back to the raw text."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from claimstance.text.normalize import normalize
from tests.support.paths import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_normalize_map_points_back_to_raw(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    norm, index = normalize(text)
    assert len(index) == len(norm) + 1 and index[-1] == len(text)
    assert all(a <= b for a, b in pairwise(index))
    fold = dict.fromkeys("“”„«»″", '"') | dict.fromkeys("‘’‚′", "'") | dict.fromkeys("–—−", "-")
    fold["…"] = "."
    for i, ch in enumerate(norm):
        raw = text[index[i]]
        assert ch == (" " if raw.isspace() else fold.get(raw, raw))
    assert "  " not in norm and "\n" not in norm and "“" not in norm and "…" not in norm


def test_normalize_folds_and_is_cached() -> None:
    text = "A\u00a0 “b”\n\n‘c’ – d — e … f\u200bg ″h″ «i»"
    norm, index = normalize(text)
    assert norm == 'A "b" \'c\' - d - e ... fg "h" "i"'
    assert index[norm.index("...")] == text.index("…") == index[norm.index("...") + 2]
    norm2, index2 = normalize(text)
    assert norm2 is norm and index2 == index
    index2.append(-1)  # callers may mutate their copy without corrupting the cache
    assert normalize(text)[1] == index
