"""The attribution defects a new user found in seeds 001 and 003, each checked by name.

The detector's own speaker choice is used (the model only breaks ties), so these hold
for the guided strategy whatever the model answers.
"""

from __future__ import annotations

import pytest

from claimstance.detect.parser import load_parser
from claimstance.pipeline.guided import detector_extraction
from claimstance.schemas.models import Article, Claim, Extraction
from tests.support.paths import SEEDS

pytestmark = pytest.mark.skipif(
    load_parser() is None, reason="the dependency parser is not installed"
)


def extraction(stem: str) -> Extraction:
    text = next(SEEDS.glob(f"{stem}_*.txt")).read_text(encoding="utf-8")
    return detector_extraction(Article(id=stem, text=text))


def claim_with(ex: Extraction, words: str) -> Claim:
    return next(c for c in ex.claims if words in c.quote.text)


def test_seed_001_distinct_officials_stay_distinct() -> None:
    ex = extraction("001")
    chinese = claim_with(ex, "stubborn strategy of containing China").speaker
    american = claim_with(ex, "That will be our message going forward").speaker
    assert chinese.id != american.id
    assert chinese.id == claim_with(ex, "have shown a trend of stopping decline").speaker.id
    assert american.id == claim_with(ex, "avoid taking provocative actions").speaker.id


def test_seed_001_phone_call_and_relative_clause() -> None:
    ex = extraction("001")
    assert not any("their Chinese counterparts recently" in c.quote.text for c in ex.claims)
    warned = claim_with(ex, "Chinese companies are sending dual-use technology")
    assert warned.quote.text.startswith("Chinese companies") and warned.cue is not None
    assert warned.cue.text == "warn" and warned.speaker.name == "US officials"


def test_seed_001_direct_quote_keeps_that() -> None:
    assert claim_with(extraction("001"), "That will be our message").claim.startswith("That will")


def test_seed_003_speakers() -> None:
    ex = extraction("003")
    assert claim_with(ex, "stabilise their tense relationship").speaker.name.endswith(
        "US and China"
    )
    assert claim_with(ex, "he wishes to bring Taiwan").speaker.name == "Xi Jinping"
    abuses = claim_with(ex, "alleged human rights abuses by China")
    assert abuses.speaker.name.lower().endswith("state department") and abuses.cue is not None
    assert abuses.cue.text == "said"
    xi = next(s for s in ex.speakers if s.name == "Xi Jinping")
    assert xi.role == "President" and xi.affiliation == "China"


def test_seed_003_breadcrumb_and_title_give_one_claim() -> None:
    ex = extraction("003")
    assert sum("stabilise tense relationship after talks" in c.quote.text for c in ex.claims) == 1
    assert not any("Featured" in c.quote.text or "Home" in c.quote.text for c in ex.claims)
