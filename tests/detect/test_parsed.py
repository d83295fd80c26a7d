"""Reported speech read from the dependency parse (detect/parsed.py), on made-up passages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from claimstance.detect import parser
from claimstance.detect.detector import DetectedClaim, detect_claims

pytestmark = pytest.mark.skipif(
    parser.load_parser() is None, reason=f"no parser: {parser.parser_problem()}"
)


def claims_of(text: str) -> list[tuple[str, str, str]]:
    """(content, cue, best speaker) of every claim."""
    return [_row(text, c) for c in detect_claims(text) if not c.is_fragment]


def _row(text: str, c: DetectedClaim) -> tuple[str, str, str]:
    cue = text[c.cue.start : c.cue.end] if c.cue else ""
    speaker = c.candidates[0].name if c.candidates else ""
    return text[c.quote.start : c.quote.end], cue, speaker


def test_a_clause_far_from_its_subject() -> None:
    text = (
        "The harbour master, speaking after a long meeting with the fishing crews, "
        "warned the new quotas would empty the port."
    )
    assert claims_of(text) == [
        ("the new quotas would empty the port", "warned", "The harbour master")
    ]


def test_an_intention_is_an_infinitive() -> None:
    text = "The bakery chain plans to close nine shops before the winter."
    assert claims_of(text)[0][:2] == ("to close nine shops before the winter", "plans")


def test_a_stance_verb_takes_its_object_as_content() -> None:
    text = "Councillor Mira Osei criticised the plan for a new ring road on Monday."
    content, cue, speaker = claims_of(text)[0]
    assert content.startswith("the plan for a new ring road") and cue == "criticised"
    assert speaker == "Mira Osei"


def test_according_to_leading_and_trailing() -> None:
    lead = "According to the weather service, the storm will reach the coast tonight."
    trail = "The storm will reach the coast tonight, according to the weather service."
    assert claims_of(lead)[0][:2] == ("the storm will reach the coast tonight", "According to")
    assert claims_of(trail)[0][:2] == ("The storm will reach the coast tonight", "according to")


def test_a_speech_verb_in_another_sense_is_no_cue() -> None:
    assert claims_of("The mayor called her counterpart in the next town on Tuesday.") == []
    assert claims_of("She told the story of the flood to every visitor.") == []
    called_for = claims_of("The union called for a shorter working week in all plants.")
    assert called_for and called_for[0][1].startswith("called")


def test_a_joint_subject_is_one_source() -> None:
    text = "Norway and Chile said they would share the survey data with every partner."
    assert claims_of(text)[0][2] == "Norway and Chile"


def test_a_relative_pronoun_stands_for_its_noun() -> None:
    text = "The club elected a new chair, Dana Pohl, who rejects the merger with the rival club."
    content, _, speaker = claims_of(text)[0]
    assert content.startswith("the merger") and speaker == "Dana Pohl"


def test_without_the_parse_the_rules_run_alone() -> None:
    text = "The harbour master, speaking after a long meeting, warned the quotas would hurt."
    assert detect_claims(text, parse=False) != detect_claims(text)


def test_the_installed_build_is_the_pinned_one(tmp_path: Path) -> None:
    spec = importlib.util.find_spec(parser.PARSER_PACKAGE)
    assert spec is not None and spec.origin is not None
    data = next(Path(spec.origin).parent.glob(f"{parser.PARSER_PACKAGE}-*"))
    assert parser._digest(data) == parser.PARSER_SHA256
    (tmp_path / "a").write_bytes(b"x")
    assert parser._digest(tmp_path) != parser.PARSER_SHA256  # any other file set differs


def test_a_claim_noun_with_a_that_clause() -> None:
    text = "Ada Lind spoke on Monday. She repeated her claim that the dam had been built badly."
    assert claims_of(text)[-1] == ("that the dam had been built badly", "claim", "Ada Lind")


def test_the_clause_after_the_cue_is_the_one_it_governs() -> None:
    text = (
        'The deal was signed in May after a "no limits" pact, and while trade has slowed, '
        "analysts warn smaller firms are moving their money abroad."
    )
    assert ("smaller firms are moving their money abroad", "warn", "analysts") in claims_of(text)


def test_a_coordinated_clause_with_its_own_subject_ends_the_content() -> None:
    text = "She said the fees would stay, and when pressed, the treasurer replied otherwise."
    assert claims_of(text)[0][0] == "the fees would stay"


def test_a_second_reporter_in_a_while_clause_keeps_its_own_claim() -> None:
    text = (
        "Mr Xi has indicated that China will not back down, while Biden said the US "
        "will defend its allies in the region."
    )
    assert [(c, s) for c, _, s in claims_of(text)] == [
        ("that China will not back down", "Xi"),
        ("the US will defend its allies in the region", "Biden"),
    ]


def test_according_to_stays_on_its_side_of_a_semicolon() -> None:
    text = (
        "The minister wants to raise taxes next year; the premier told reporters the economy "
        "is strong, according to the ministry."
    )
    assert len(claims_of(text)) == 2


def test_a_physical_sense_of_a_stance_verb_is_no_claim() -> None:
    assert claims_of("Troops attacked Ukraine at dawn.") == []
    assert claims_of("Police questioned Smith for six hours.") == []


def test_an_inverted_auxiliary_is_not_part_of_the_cue() -> None:
    text = "Never has the minister said that taxes would rise."
    assert claims_of(text) == [("that taxes would rise", "said", "the minister")]


def test_a_speech_act_that_has_not_happened_is_no_claim() -> None:
    assert claims_of("The judge ordered the company to deny that it had misled investors.") == []
    assert claims_of("The minister is expected to announce that taxes will rise.") == []


def test_without_the_parser_the_rules_run_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "The harbour master, speaking after a long meeting, warned the quotas would hurt."
    with_parse = claims_of(text)
    monkeypatch.setattr(parser, "_load", lambda: (None, "spaCy is not installed"))
    assert parser.parser_problem() == "spaCy is not installed"
    assert claims_of(text) != with_parse


def test_a_participle_after_a_preposition_shares_the_clause_subject() -> None:
    text = (
        "The ferry operator cut two routes before admitting the old boats could not pass "
        "inspection."
    )
    assert claims_of(text) == [
        ("the old boats could not pass inspection", "admitting", "The ferry operator")
    ]


def test_a_participle_clause_shares_the_subject_of_its_verb() -> None:
    text = (
        "The orchestra cancelled its spring tour, stating in a short letter to its members "
        "that the hall was unsafe."
    )
    assert claims_of(text) == [("that the hall was unsafe", "stating", "The orchestra")]


def test_a_participle_after_a_noun_reports_nothing_of_its_own() -> None:
    text = "The council has no way of knowing whether the bridge will hold for long."
    assert claims_of(text) == []


def test_a_participle_after_as_belongs_to_the_object() -> None:
    text = "The radio station quoted two engineers as saying that the dam had cracked in March."
    assert claims_of(text) == [("that the dam had cracked in March", "saying", "two engineers")]


def test_a_cue_set_off_by_commas_splits_its_content_in_two() -> None:
    text = "The new bridge, the engineer said, will carry twice the traffic by spring."
    (claim,) = [c for c in detect_claims(text) if not c.is_fragment]
    parts = [text[p.start : p.end] for p in claim.parts]
    assert parts == ["The new bridge", "will carry twice the traffic by spring"]
    assert _row(text, claim)[1:] == ("said", "the engineer")


def test_a_cue_in_the_infinitive_under_its_own_subject_reports() -> None:
    text = "The coach went on to explain how the injuries had weakened the squad."
    assert claims_of(text) == [
        ("how the injuries had weakened the squad", "went on to explain", "The coach")
    ]


def test_a_speech_verb_with_an_object_and_an_infinitive_is_an_instruction() -> None:
    text = "The principal told her teachers to cancel all homework for the holiday."
    content, cue, speaker = claims_of(text)[0]
    assert (content, cue) == ("her teachers to cancel all homework for the holiday", "told")
    assert speaker == "The principal"


def test_a_passive_cue_with_its_agent_attributes_the_subject() -> None:
    text = "The new tram line has been endorsed by the regional chamber of commerce."
    assert claims_of(text) == [
        ("The new tram line", "has been endorsed by", "the regional chamber of commerce")
    ]


def test_a_predicate_adjective_with_a_clause_is_a_belief() -> None:
    text = "Several farmers are afraid that the drought will ruin the harvest."
    content, cue, _ = claims_of(text)[0]
    assert (content, cue) == ("that the drought will ruin the harvest", "are afraid")
    assert claims_of("It was clear that the drought would ruin the harvest.") == []


def test_a_verb_tagged_as_a_noun_still_governs_its_infinitive() -> None:
    text = "The museum plans to reopen its north wing in the autumn."
    assert claims_of(text)[0][:2] == ("to reopen its north wing in the autumn", "plans")


def test_an_object_content_ends_before_the_writers_aside() -> None:
    text = (
        "The mayor praised the harbour plan, which includes a ferry terminal and two parks, "
        "at the council meeting."
    )
    assert claims_of(text)[0][:2] == ("the harbour plan", "praised")
    dashed = "The union rejected the offer — the third this year — on Monday."
    assert claims_of(dashed)[0][:2] == ("the offer", "rejected")


def test_a_possessed_noun_with_a_complement_states_its_possessors_claim_or_intent() -> None:
    said = "Economists doubted the minister's insistence that the budget was balanced."
    assert claims_of(said) == [("that the budget was balanced", "insistence", "the minister")]
    meant = "The company's decision to close three factories angered the unions."
    assert claims_of(meant)[0][:2] == ("to close three factories", "decision")
    # a relative clause is the writer's description, not the possessor's words
    assert claims_of("Her report that she wrote in May was leaked to reporters.") == []


def test_a_reporting_participle_after_the_content_is_the_speakers_next_claim() -> None:
    text = "The mayor said the tunnel would open in May, citing the latest engineering report."
    assert claims_of(text) == [
        ("the tunnel would open in May", "said", "The mayor"),
        ("the latest engineering report", "citing", "The mayor"),
    ]


def test_a_that_clause_hung_on_the_audience_is_still_what_was_told() -> None:
    # the parser reads "that few people …" as a relative clause of "leaders"
    text = (
        "Last week she told a meeting of farm leaders that few people understood the risks "
        "of drought."
    )
    assert claims_of(text) == [("that few people understood the risks of drought", "told", "she")]


def test_a_passive_speech_cue_with_its_agent_reports_the_clause_not_the_audience() -> None:
    text = "Residents were warned by police that the river would flood overnight."
    assert claims_of(text) == [("that the river would flood overnight", "were warned by", "police")]
    assert claims_of("Smith was questioned by reporters about the fire.") == []
    assert claims_of("The book was written by a retired judge.") == []


def test_a_second_parenthetical_cue_keeps_its_own_claim() -> None:
    text = "The economy, she believes, is heading for a slowdown, and wages, he said, will fall."
    assert [row[1:] for row in claims_of(text)] == [("believes", "she"), ("said", "he")]


def test_a_relative_pronoun_before_an_attitude_stands_for_its_antecedent() -> None:
    text = "Farmers, who are afraid that the drought will ruin the harvest, met on Monday."
    assert claims_of(text) == [("that the drought will ruin the harvest", "are afraid", "Farmers")]


def test_what_was_not_done_or_is_no_intention_is_no_claim() -> None:
    assert claims_of("He failed to mention that the company had lost money.") == []
    assert claims_of("The company's ability to pay its debts worried investors.") == []


def test_an_apposition_naming_the_object_and_a_later_conjunct_stay_in_the_content() -> None:
    named = "The governor criticized his rival, Senator Jane Smith, over the budget."
    assert "Senator Jane Smith" in claims_of(named)[0][0]
    both = "The mayor praised the new plan, which adds two parks, and the city's budget."
    assert claims_of(both)[0][0].endswith("the city's budget")


def test_an_inverted_or_audience_taking_parenthetical_cue_names_its_speaker() -> None:
    for text, cue in (
        ("The bridge, said the mayor, will open in June.", "said"),
        ("The bridge, the mayor told reporters, will open in June.", "told"),
    ):
        (claim,) = [c for c in detect_claims(text) if not c.is_fragment]
        parts = [text[p.start : p.end] for p in claim.parts]
        assert parts == ["The bridge", "will open in June"]
        assert _row(text, claim)[1:] == (cue, "the mayor")
