"""Speaker names, roles and affiliations as the article states them (detect/mentions.py)."""

from __future__ import annotations

from claimstance.detect.detector import detect_claims


def speaker(text: str, k: int = 0) -> tuple[str, str | None, str | None]:
    claims = [c for c in detect_claims(text) if not c.is_fragment]
    best = claims[k].candidates[0]
    return best.name, best.role, best.affiliation


def test_a_possessive_title_phrase_gives_role_and_affiliation() -> None:
    text = "Peru's President Ana Lucía Torres said the mines would reopen. Torres added more."
    assert speaker(text) == ("Ana Lucía Torres", "President", "Peru")


def test_a_country_acronym_before_a_title_is_the_affiliation() -> None:
    text = "UK Trade Secretary Paul Ames told reporters that the deal was close."
    assert speaker(text) == ("Paul Ames", "Trade Secretary", "UK")


def test_a_possessive_apposition_splits_into_role_and_affiliation() -> None:
    text = "Ida Berg, Norway's fisheries minister, said the quotas would stay."
    assert speaker(text) == ("Ida Berg", "fisheries minister", "Norway")


def test_a_role_stated_elsewhere_reaches_a_later_short_mention() -> None:
    text = (
        "Ida Berg, the fisheries minister, arrived in Bergen on Monday. "
        "Later, Berg said the quotas would stay."
    )
    assert speaker(text) == ("Ida Berg", "fisheries minister", None)


def test_a_list_of_names_is_no_role() -> None:
    text = "Ida Berg, Tom Hale and Ola Dahl met on Monday. Later, Berg said the talks went well."
    assert speaker(text)[1] is None


def test_a_relative_clause_is_no_role() -> None:
    text = "The club elected a new chair, Dana Pohl, who rejects the merger with the rival club."
    name, role, _ = speaker(text)
    assert name == "Dana Pohl" and (role is None or "rejects" not in role)


def test_a_named_apposition_is_the_source_of_a_description() -> None:
    text = "A local farmer, Ivo Petrov, said that the river had flooded twice this year."
    assert speaker(text)[:2] == ("Ivo Petrov", "local farmer")
