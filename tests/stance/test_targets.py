"""Automatic stance targets: what the article names, merged, ranked, never invented."""

from __future__ import annotations

from claimstance.stance.targets import claim_targets, find_entities, given_target

TEXT = (
    "Obama Faces Criticism Over Budget\n\n"
    "WASHINGTON — President Barack Obama defended his budget on Monday. Republicans led "
    "by Senator Mitch McConnell attacked it.\n\n"
    '"Mr. Obama has failed the middle class," McConnell said. Chinese officials were '
    "not consulted.\n\n"
    "Obama said the plan would create jobs."
)


def test_names_are_merged_under_the_full_name_and_ranked_by_salience() -> None:
    entities = find_entities(TEXT)
    names = [e.name for e in entities]
    assert names[0] == "Barack Obama"  # headline, lead and three more mentions
    obama = entities[0]
    assert obama.kind == "person"
    assert {"Obama", "Barack Obama"} <= set(obama.aliases)
    assert all(TEXT[a:b] in obama.aliases for a, b in obama.mentions)
    assert "Mitch McConnell" in names


def test_datelines_adjectives_and_headline_only_words_are_not_targets() -> None:
    names = {e.name for e in find_entities(TEXT)}
    assert "WASHINGTON" not in names  # a dateline in capitals
    assert "Chinese" not in names  # "Chinese officials": a nationality as adjective
    assert "Criticism" not in names and "Budget" not in names  # title case of the headline


def test_a_claim_is_judged_toward_what_it_names_but_not_its_speaker() -> None:
    entities = find_entities(TEXT)
    start = TEXT.index('"Mr. Obama')
    end = TEXT.index('class,"') + len('class,"')
    chosen = claim_targets(entities, [(start, end)], speaker="Mitch McConnell")
    assert [e.name for e, _ in chosen] == ["Barack Obama"]
    assert [TEXT[a:b] for a, b in chosen[0][1]] == ["Obama"]
    assert claim_targets(entities, [(start, end)], speaker="Barack Obama") == []


def test_a_requested_target_is_found_whatever_its_case_and_dashes() -> None:
    text = "Talks on us-china cooperation resumed. US–China Cooperation matters."
    target = given_target(text, "US–China cooperation")
    assert target.kind == "given"
    assert [m.text for m in target.mentions] == ["us-china cooperation", "US–China Cooperation"]
    assert all(text[m.start : m.end] == m.text for m in target.mentions)


def test_a_requested_target_is_found_across_paragraphs_as_whole_words_only() -> None:
    text = "Head\n\nObama spoke because the US asked.\n\nThe U.S. and Obama."
    assert [m.text for m in given_target(text, "Obama").mentions] == ["Obama", "Obama"]
    assert [m.text for m in given_target(text, "US").mentions] == ["US"]  # not in "because"
    assert given_target(text, "—").mentions == []


def test_odd_names_are_read_without_crashing_and_surnames_after_verbs_are_kept() -> None:
    assert find_entities("Headline\n\n“Neither do I.” Graham asked.") is not None
    text = (
        "Headline\n\nSenator Orrin Hatch criticised the bill. Hatch said it was bad. The NAACP "
        "said no. NAACP leaders met. Chinese firms rose."
    )
    names = {e.name for e in find_entities(text)}
    assert {"Orrin Hatch", "NAACP"} <= names and "Chinese" not in names


def test_a_text_of_one_paragraph_has_no_headline_to_skip() -> None:
    text = "President Barack Obama defended the plan. Senator Mitch McConnell disagreed with Obama."
    assert [e.name for e in find_entities(text)][:2] == ["Barack Obama", "Mitch McConnell"]
