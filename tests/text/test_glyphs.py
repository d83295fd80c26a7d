"""The glyph table: what every layer agrees a quotation mark and a dash are."""

from __future__ import annotations

import re

from claimstance.text import glyphs
from claimstance.text.normalize import normalize


def test_the_sets_are_pinned() -> None:
    assert glyphs.DOUBLE_MARKS == '“„‟«〝”»〞"＂'
    assert glyphs.SINGLE_MARKS == "‘‛’'"
    assert glyphs.SINGLE_LOOKALIKES == "‚‹›"
    assert glyphs.DASHES == "–—‒−‐‑―"


def test_opening_and_closing_marks_cover_every_mark() -> None:
    marks = set(glyphs.QUOTE_MARKS)
    assert marks == set(glyphs.OPENING_MARKS) | set(glyphs.CLOSING_MARKS)
    assert "“" in glyphs.CLOSING_MARKS  # German „…“


def test_char_class_escapes_what_a_class_would_misread() -> None:
    pattern = re.compile("[" + glyphs.char_class("-]^\\" + glyphs.DOUBLE_MARKS) + "]")
    assert pattern.findall("a-b]c^d\\e“f") == ["-", "]", "^", "\\", "“"]
    assert not pattern.search("abc")


def test_normalisation_folds_every_mark_and_dash() -> None:
    text = glyphs.DOUBLE_MARKS + glyphs.SINGLE_MARKS + glyphs.SINGLE_LOOKALIKES + glyphs.DASHES
    folded, _ = normalize(text)
    assert set(folded) <= {'"', "'", "-"}
