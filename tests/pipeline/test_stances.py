"""Stance targets of the pipeline: a capable model's free-text targets, canonicalised."""

from __future__ import annotations

from claimstance.pipeline.stances import canonical_stances, entity_for
from claimstance.schemas.models import Stance
from claimstance.stance.targets import find_entities
from claimstance.text.normalize import target_key, unique_targets

TEXT = (
    "President Barack Obama spoke in Ohio.\n\n"
    "Obama said the health care law works. Senator Mitch McConnell disagreed with Obama."
)


def test_model_targets_take_the_entity_s_name_and_invented_ones_are_dropped() -> None:
    entities = find_entities(TEXT)
    stances = [
        Stance(target="obama", label="favor"),
        Stance(target="the health care law", label="favor"),  # in the text: kept as written
        Stance(target="Anty Blinken", label="against"),  # not in the article
    ]
    kept, warnings = canonical_stances(TEXT, stances, entities)
    assert [s.target for s in kept] == ["Barack Obama", "the health care law"]
    assert [w.code for w in warnings] == ["stance_target_not_in_article"]
    assert warnings[0].detail == {"target": "Anty Blinken"}


def test_a_requested_target_finds_its_entity_by_a_short_form() -> None:
    entities = find_entities(TEXT)
    found = entity_for("Barack Obama", entities)
    assert found is not None and found.name == "Barack Obama"
    assert entity_for("Obama", entities) is found
    assert entity_for("Hillary Clinton", entities) is None


def test_target_keys_fold_dashes_case_and_whitespace() -> None:
    assert target_key("US–China  Cooperation") == target_key("us-china cooperation")
    assert target_key("US—China cooperation") == "us-china cooperation"
    assert unique_targets(["US–China cooperation", "us-china COOPERATION", " ", "Obama"]) == [
        "US–China cooperation",
        "Obama",
    ]


def test_another_person_with_the_same_surname_is_not_the_entity() -> None:
    entities = find_entities(TEXT)
    assert entity_for("Michelle Obama", entities) is None


def test_a_second_stance_toward_the_same_entity_is_dropped() -> None:
    stances = [
        Stance(target="Obama", label="favor"),
        Stance(target="Barack Obama", label="against"),
    ]
    kept, warnings = canonical_stances(TEXT, stances, find_entities(TEXT))
    assert [(s.target, s.label) for s in kept] == [("Barack Obama", "favor")]
    assert [w.code for w in warnings] == ["stance_target_repeated"]
