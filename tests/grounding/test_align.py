"""Grounding: locating model-proposed strings in the raw article text."""

from __future__ import annotations

import random
import re
from itertools import pairwise
from pathlib import Path

import pytest

from claimstance.grounding.locate import FUZZY_MAX_LEN, Alignment, align
from claimstance.grounding.quote_align import QuoteAlignment, align_quote
from claimstance.schemas.models import Span
from claimstance.text.normalize import normalize
from tests.support.paths import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def check(a: Alignment | None, text: str) -> str:
    """Every alignment must be a valid, whitespace-trimmed span of the raw text."""
    assert a is not None
    span = a.to_span(text)
    assert text[a.start : a.end] == span.text
    assert span.text == span.text.strip() and span.text
    assert span.alignment == a.method and span.score == a.score
    again = Span.model_validate(span.model_dump(), context={"text": text})
    assert again == span
    return span.text


def check_quote(q: QuoteAlignment | None, text: str) -> str:
    assert q is not None
    extent = check(q.extent, text)
    assert len(q.parts) != 1
    for part in q.parts:
        check(part, text)
    if q.parts:
        assert q.parts[0].start == q.extent.start and q.parts[-1].end == q.extent.end
        assert all(a.end <= b.start for a, b in pairwise(q.parts))
    return extent


def whole_words(text: str, start: int, end: int) -> bool:
    left = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    right = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return left and right


# ------------------------------------------------------------------------- align


def test_exact_and_method() -> None:
    text = seed("003")
    a = align("Mr Xi said they had made progress", text)
    assert check(a, text) == "Mr Xi said they had made progress"
    assert a is not None and a.method == "exact" and a.score == 1.0


def test_straight_quotes_match_curly_apostrophes() -> None:
    text = seed("003")
    a = align("Mr Blinken's visit is the first by a top US diplomat", text)
    assert check(a, text) == "Mr Blinken’s visit is the first by a top US diplomat"
    assert a is not None and a.method == "normalized" and a.score == 1.0


def test_whitespace_and_newlines_differ() -> None:
    text = seed("003")
    needle = 'there remained major differences. "I stressed that... sustained communication'
    a = align(needle, text)
    assert check(a, text) == (
        "there remained major differences.\n\n“I stressed that… sustained communication"
    )
    text2 = seed("002")  # has double spaces in the raw text
    b = align("offered no substantive solutions", text2)
    assert check(b, text2) == "offered\xa0 no substantive solutions"  # NBSP + space
    c = align("little promise.\nAt the Chinese", text2)
    assert check(c, text2) == "little promise. \xa0At the Chinese"


@pytest.mark.parametrize("dash", ["-", "—", "–", "−"])
def test_dashes_differ(dash: str) -> None:
    text = seed("003")
    a = align(f"we profoundly {dash} even vehemently {dash} disagree", text)
    assert check(a, text) == "we profoundly – even vehemently – disagree"


def test_ellipsis_three_dots() -> None:
    text = seed("003")
    a = align("I stressed that... sustained", text)
    assert check(a, text) == "I stressed that… sustained"
    assert a is not None and a.method == "normalized"


def test_case_sensitive_normalisation() -> None:
    text = seed("003")
    a = align("MR BLINKEN", text)
    assert a is None


def test_needle_whitespace_is_stripped() -> None:
    text = seed("003")
    a = align("  \n Mr Xi \t", text)
    assert check(a, text) == "Mr Xi"
    assert align("   ", text) is None and align("", text) is None


def test_fuzzy_paraphrase_matches_but_other_sentence_does_not() -> None:
    text = seed("001")
    needle = "Washington has so far stopped short of sanctioning the major Chinese banks"
    a = align(needle, text)
    assert (
        check(a, text) == "Washington has so far stopped short of sanctioning major Chinese banks"
    )
    assert a is not None and a.method == "fuzzy" and 0.9 <= a.score < 1.0
    other = "Beijing has repeatedly refused to sanction any major American banks"
    assert align(other, text) is None
    assert align(needle, text, threshold=0.99) is None


def test_short_needles_never_fuzzy_match() -> None:
    text = seed("003")
    assert align("Mr Xo", text) is None  # one letter off, but short
    assert align("Mr Blinkn", text) is None
    assert align("Mr Blinkn", text, threshold=0.0) is None
    assert align("zq", text) is None
    a = align("Mr Blinken tolds reporters", text)  # long enough: fuzzy
    assert check(a, text) == "Mr Blinken told reporters"


def test_whole_word_occurrence_preferred() -> None:
    text = seed("003")
    a = align("he", text)
    assert check(a, text) == "he"
    assert a is not None and whole_words(text, a.start, a.end)
    assert a.start > text.index("he")  # the first "he" is inside "the"


def test_near_chooses_closest_of_repeated_mentions() -> None:
    text = seed("003")
    starts = [m.start() for m in re.finditer("Mr Blinken", text)]
    assert len(starts) > 5
    for quote in ("I heard the same", "Progress is hard", "clear-eyed"):
        near = text.index(quote)
        a = align("Mr Blinken", text, near=near)
        check(a, text)
        assert a is not None
        best = min(abs(s - near) for s in starts)
        assert min(abs(a.start - near), abs(a.end - near)) <= best
    first = align("Mr Blinken", text)
    check(first, text)
    assert first is not None and first.start == starts[0]
    # "he" near the broken quote is the cue's "he", not one inside another word
    cue = align("he", text, near=text.index("I heard the same"))
    check(cue, text)
    assert cue is not None and text[cue.start : cue.start + 7] == "he said"


def test_window_restricts_search() -> None:
    text = seed("003")
    lo = text.index("“Progress is hard")
    a = align("Mr Blinken", text, window=(lo - 200, len(text)))
    check(a, text)
    assert a is not None and a.start >= lo - 200
    assert align("Mr Blinken", text, window=(lo, len(text))) is None
    assert align("Mr Xi said they had made progress", text, window=(lo, len(text))) is None
    fuzzy_needle = "Washington does not support Taiwanese independence"
    b = align(fuzzy_needle, text)
    assert check(b, text) == "Washington does not support Taiwan independence"
    assert align(fuzzy_needle, text, window=(0, 1000)) is None
    assert align("Mr Blinken", text, window=(50, 10)) is None  # empty window
    c = align("Mr Blinken", text, window=(-5, 10**9))
    check(c, text)
    assert c is not None and c.start == text.index("Mr Blinken")


# ------------------------------------------------------------------------- align_quote


@pytest.mark.parametrize(
    "model_quote",
    [
        "I heard the same from my Chinese counterparts, We both agree on the need to "
        "stabilise our relationship.",
        "I heard the same from my Chinese counterparts. We both agree on the need to "
        "stabilise our relationship.",
        "I heard the same from my Chinese counterparts … We both agree on the need to "
        "stabilise our relationship.",
        '"I heard the same from my Chinese counterparts... We both agree on the need to '
        'stabilise our relationship."',
        "“I heard the same from my Chinese counterparts, we both agree on the need to "
        "stabilise our relationship.”",
    ],
)
def test_quote_broken_around_cue(model_quote: str) -> None:
    text = seed("003")
    q = align_quote(model_quote, text)
    extent = check_quote(q, text)
    assert extent == (
        "“I heard the same from my Chinese counterparts,” he said. "
        "“We both agree on the need to stabilise our relationship.”"
    )
    assert q is not None and [text[p.start : p.end] for p in q.parts] == [
        "“I heard the same from my Chinese counterparts,”",
        "“We both agree on the need to stabilise our relationship.”",
    ]


def test_quote_with_or_without_marks_includes_marks() -> None:
    text = seed("003")
    words = "Progress is hard. It takes time. And it’s not the product of one visit, one trip"
    gold = f"“{words}, one conversation,”"
    for model in (
        f"{words}, one conversation".replace("’", "'"),
        f'"{words}, one conversation,"',
        gold,
    ):
        q = align_quote(model, text)
        assert check_quote(q, text) == gold
        assert q is not None and q.parts == ()
    assert check_quote(align_quote("clear-eyed", text), text) == "“clear-eyed”"
    # content that stops before the quotation ends is not widened
    q = align_quote("Progress is hard. It takes time.", text)
    assert check_quote(q, text) == "Progress is hard. It takes time."


def test_mixed_marks_and_missing_opening_mark() -> None:
    text = seed("000")
    q = align_quote("to sustain, and again, to deal directly with our differences", text)
    assert check_quote(q, text) == "to sustain, and again, to deal directly with our differences"
    tail = "as we also seek to build cooperation"
    start = (
        "We have an obligation for our people and, indeed, an obligation for the world to "
        "manage the relationship between our two countries responsibly."
    )
    q = align_quote(f"{start} ... {tail}", text)  # elision longer than 200 characters
    extent = check_quote(q, text)
    assert extent.startswith("“We have an obligation") and extent.endswith('cooperation,"')
    assert q is not None and q.parts == ()
    # the article omits the opening mark: nothing to widen on the left, so nothing at all
    q = align_quote(
        "The main problem facing the world today is not overproduction of new energy, "
        "but an actual serious shortage.",
        text,
    )
    assert check_quote(q, text).startswith("The main problem")


def test_nested_quotes() -> None:
    text = seed("001")
    q = align_quote("OK, you just stop,", text)
    assert check_quote(q, text) == "'OK, you just stop,'"
    q = align_quote(
        "They sell all their oil to China, so when China says, 'OK, you just stop,' "
        "then they have to think about it.",
        text,
    )
    check_quote(q, text)
    assert q is not None and [text[p.start : p.end] for p in q.parts] == [
        '"They sell all their oil to China,"',
        "\"so when China says, 'OK, you just stop,' then they have to think about it.\"",
    ]
    text4 = seed("004")
    assert check_quote(align_quote("China Threat Theory.", text4), text4) == (
        "“China Threat Theory.”"
    )
    assert check_quote(align_quote("The United States needs to reflect deeply", text4), text4) == (
        "“The United States needs to reflect deeply”"
    )


def test_two_sentence_quote_with_curly_apostrophe_is_split() -> None:
    text = seed("004")
    q = align_quote(
        "We have already imposed sanctions and export controls on more than 100 Chinese "
        "entities, and we are fully prepared to take action and take additional measures. "
        "If China doesn't solve this problem, we will.",
        text,
    )
    check_quote(q, text)
    assert q is not None and q.extent.method == "normalized" and len(q.parts) == 2
    assert (
        text[q.parts[1].start : q.parts[1].end] == "“If China doesn’t solve this problem, we will.”"
    )


def test_quote_in_image_caption_line() -> None:
    text = seed("000")
    caption = "US Secretary of State Antony Blinken visits China from April 24-26, 2024."
    q = align_quote(caption, text)
    assert check_quote(q, text) == caption
    assert q is not None and text[: q.extent.start].endswith(" 1")  # glued to "ảnh 1"
    captioned = text + "\nDialogue - ảnh 3“We will not back down,” Wang Yi said. (Photo: AFP/VNA)\n"
    q = align_quote('"We will not back down"', captioned)
    assert check_quote(q, captioned) == "“We will not back down,”"
    assert q is not None and q.extent.start > len(text)


def test_model_elision_inside_one_quotation() -> None:
    text = seed("003")
    q = align_quote(
        "Progress is hard ... it's not the product of one visit, one trip, one conversation", text
    )
    assert check_quote(q, text) == (
        "“Progress is hard. It takes time. And it’s not the product of one visit, one trip, "
        "one conversation,”"
    )
    assert q is not None and q.parts == () and q.extent.method == "normalized"
    # without an ellipsis, skipped words are not accepted (and too many for fuzzy)
    q = align_quote("Progress is hard. And it's not the product of one visit, one trip", text)
    assert q is None


def test_paraphrased_quote_fuzzy_and_unrelated_none() -> None:
    text = seed("003")
    q = align_quote("We both agree on the need to stabilize our relationship.", text)
    assert check_quote(q, text) == "“We both agree on the need to stabilise our relationship.”"
    assert q is not None and q.extent.method == "fuzzy" and q.extent.score >= 0.9
    assert (
        align_quote("We both agree on the need to destroy the relationship entirely.", text) is None
    )
    assert align_quote("China will never accept American interference in Taiwan.", text) is None
    assert align_quote("", text) is None and align_quote(' "" … ', text) is None


def test_quote_window_and_near() -> None:
    text = seed("003")
    lo = text.index("“Progress")
    assert (
        align_quote("I heard the same from my Chinese counterparts", text, window=(lo, len(text)))
        is None
    )
    q = align_quote("I heard the same from my Chinese counterparts", text, window=(0, lo), near=lo)
    assert check_quote(q, text) == "“I heard the same from my Chinese counterparts,”"
    doubled = text + "\n\n" + text
    q = align_quote("Progress is hard.", doubled, near=len(doubled))
    check_quote(q, doubled)
    assert q is not None and q.extent.start > len(text)


# ------------------------------------------------------------------------- property-style


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_random_substrings_are_found(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rng = random.Random(20240424)
    for _ in range(300):
        start = rng.randrange(len(text))
        raw = text[start : start + rng.randint(1, 120)]
        sub = raw.strip()
        if not sub:
            continue
        start += len(raw) - len(raw.lstrip())
        a = align(sub, text)
        assert check(a, text) == sub
        assert a is not None and a.method == "exact"
        # the same occurrence or an identical earlier one; a later one only if it is the
        # first occurrence on word boundaries while this one cuts a word
        assert a.start <= start or (
            whole_words(text, a.start, a.end) and not whole_words(text, start, start + len(sub))
        )


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_random_substrings_restyled_by_a_model_are_found(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rng = random.Random(7)
    restyle = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
    for _ in range(300):
        start = rng.randrange(len(text))
        sub = text[start : start + rng.randint(1, 120)].strip()
        if not sub:
            continue
        model = re.sub(r"\s+", " ", sub.translate(restyle).replace("…", "..."))
        a = align(model, text)
        check(a, text)
        assert a is not None and a.method in ("exact", "normalized")
        assert normalize(text[a.start : a.end])[0] == normalize(sub)[0].strip()


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_every_quotation_in_the_seeds_is_found_with_its_marks(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    quotations = list(re.finditer(r"“([^“”\n]{3,})”", text))
    for m in quotations:
        content = m.group(1).rstrip(",.")
        for model in (content, f'"{content}"', content.replace("’", "'")):
            q = align_quote(model, text, near=m.start())
            check_quote(q, text)
            assert q is not None and q.parts == ()
            assert text[q.extent.start : q.extent.end] == m.group(0)


def test_a_long_quote_with_a_slip_is_found_by_its_ends_and_judged_whole() -> None:
    rng = random.Random(1)
    words = [
        "".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 9))) for _ in range(4000)
    ]
    text = " ".join(words)
    quote = " ".join(words[500:3500])
    slipped = quote.replace(words[1000], words[1000] + "x", 1)
    assert len(slipped) > FUZZY_MAX_LEN
    found = align(slipped, text, threshold=0.9)
    assert found is not None and found.method == "fuzzy"
    assert text[found.start : found.end] == quote
    # A long text that is not in the article is not found.
    assert align(" ".join(reversed(words[500:3500])), text, threshold=0.9) is None
