from __future__ import annotations

import itertools

from claimstance.text.chunking import chunk_ranges


def test_chunks_cover_the_text_with_overlap_at_paragraphs() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 40 for i in range(30))
    ranges = chunk_ranges(text, 1000, 200)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    for (s1, e1), (s2, e2) in itertools.pairwise(ranges):
        assert s1 < s2 < e1 < e2  # overlapping and advancing
        assert e1 - s2 >= 1
        assert text[s2 - 1] == "\n"  # next chunk starts at a paragraph start
    assert chunk_ranges("short", 1000, 200) == [(0, 5)]


def test_chunking_text_without_boundaries_terminates() -> None:
    text = "x" * 5000
    ranges = chunk_ranges(text, 1000, 200)
    assert ranges[-1][1] == 5000 and len(ranges) < 10
