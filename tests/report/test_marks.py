"""Marks over an article's text: checked against the text, and made to nest."""

from __future__ import annotations

from itertools import combinations

from claimstance.report.marks import Mark, nest, span_matches
from claimstance.schemas.models import Span


def _crosses(a: Mark, b: Mark) -> bool:
    overlap = a[1] < b[2] and b[1] < a[2]
    nested = (a[1] <= b[1] and b[2] <= a[2]) or (b[1] <= a[1] and a[2] <= b[2])
    return overlap and not nested


def test_a_span_is_used_only_when_the_text_says_so() -> None:
    text = "He said “yes”."
    assert span_matches(text, Span(text="said", start=3, end=7))
    assert not span_matches(text, Span(text="sad.", start=3, end=7))  # other characters
    assert not span_matches(text, Span(text="x", start=40, end=41))  # past the end
    assert not span_matches(text, Span(text="", start=2, end=2))  # nothing to mark
    assert not span_matches(text, None)


def test_nested_marks_keep_their_order_and_the_quote_stays_one_element() -> None:
    # “A,” he said, “B.”: the quote, its gap, the cue and the mention inside it.
    marks = nest([("m", 5, 7, 0), ("c", 8, 12, 0), ("g", 4, 14, 0), ("q", 0, 18, 0)])
    assert marks == [("q", 0, 18, 0), ("g", 4, 14, 0), ("m", 5, 7, 0), ("c", 8, 12, 0)]


def test_equal_spans_nest_by_kind_and_repeats_and_empty_marks_go() -> None:
    marks = nest([("m", 0, 4, 1), ("q", 0, 4, 0), ("m", 0, 4, 2), ("c", 6, 6, 0)])
    assert marks == [("q", 0, 4, 0), ("m", 0, 4, 1)]


def test_crossing_marks_are_cut_so_that_none_cross() -> None:
    # Two quotes crossing, and a mention crossing the second quote's end.
    marks = nest([("q", 0, 10, 0), ("q", 5, 15, 1), ("m", 12, 20, 3)])
    assert all(not _crosses(a, b) for a, b in combinations(marks, 2))
    # The first quote stays whole; the second is cut where the first ends, its head first.
    assert sorted(m for m in marks if m[3] in (0, 1)) == [
        ("Q", 10, 15, 1),
        ("q", 0, 10, 0),
        ("q", 5, 10, 1),
    ]
    covered = sorted((s, e) for k, s, e, r in marks if r == 3)
    assert covered == [(12, 15), (15, 20)]
    starts = [(m[1], -m[2]) for m in marks]
    assert starts == sorted(starts)  # the page's one-stack build needs this order


def test_many_random_marks_never_cross() -> None:
    import random

    rng = random.Random(7)
    for _ in range(200):
        wanted: list[Mark] = []
        for ref in range(12):
            start = rng.randrange(0, 90)
            wanted.append((rng.choice("qgcm"), start, start + rng.randrange(1, 30), ref))
        marks = nest(wanted)
        assert all(not _crosses(a, b) for a, b in combinations(marks, 2))
        heads = [m[3] for m in marks if m[0] == "q"]
        assert sorted(heads) == sorted({m[3] for m in wanted if m[0] == "q"})
