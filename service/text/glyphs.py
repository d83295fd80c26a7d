"""The one table of quotation marks and dashes: detection, grounding, assembly and the
gold reader all ask it what a quotation mark is, so they cannot disagree.

Straight marks (``"`` ``'``) open or close. ``’`` and ``'`` are also apostrophes (don't,
officials’); rules that care tell the two apart by the neighbouring characters. ``“``
closes a German-style ``„…“`` quotation as well as opening an English one.
"""

from __future__ import annotations

import re

#: Double marks that open, that close, and the straight ones that do either.
DOUBLE_OPENING = "“„‟«〝"
DOUBLE_CLOSING = "”»〞"
DOUBLE_STRAIGHT = '"＂'
#: Single marks, likewise.
SINGLE_OPENING = "‘‛"
SINGLE_CLOSING = "’"
SINGLE_STRAIGHT = "'"
#: The low single mark and single guillemets: folded and stripped like quotation marks,
#: never paired into a quotation (› doubles as a breadcrumb separator, ‚ as a comma).
SINGLE_LOOKALIKES = "‚‹›"

DOUBLE_MARKS = DOUBLE_OPENING + DOUBLE_CLOSING + DOUBLE_STRAIGHT
SINGLE_MARKS = SINGLE_OPENING + SINGLE_CLOSING + SINGLE_STRAIGHT
QUOTE_MARKS = DOUBLE_MARKS + SINGLE_MARKS
#: Marks that may open a quotation, and marks that may close one (``“`` for ``„…“``).
OPENING_MARKS = DOUBLE_OPENING + DOUBLE_STRAIGHT + SINGLE_OPENING + SINGLE_STRAIGHT
CLOSING_MARKS = DOUBLE_CLOSING + DOUBLE_STRAIGHT + SINGLE_CLOSING + SINGLE_STRAIGHT + "“"

#: Primes stand in for quotation marks in scraped text; normalisation folds them too.
PRIMES_DOUBLE = "″"
PRIMES_SINGLE = "′"
#: En, em, figure and minus signs, hyphens and the horizontal bar.
DASHES = "–—‒−‐‑―"
#: The dashes that set off a clause or an attribution ("— Reuters", "a plan – he said –").
CLAUSE_DASHES = "—–"
#: The horizontal bar that introduces a source after a quotation ("― Reuters").
BAR = "―"


def char_class(chars: str) -> str:
    """``chars`` as the body of a regular-expression character class."""
    return "".join(re.escape(c) for c in chars)
