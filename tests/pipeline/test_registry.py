from __future__ import annotations

from claimstance.pipeline.registry import SpeakerDraft, SpeakerRegistry, name_tokens
from claimstance.schemas.models import Span


def span(text: str, needle: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(text=needle, start=start, end=start + len(needle))


def test_one_canonical_speaker_for_all_mentions() -> None:
    text = (
        "US Secretary of State Antony Blinken arrived. Mr Blinken said hi. "
        "The top US diplomat added more. Blinken left, and he said goodbye."
    )
    registry = SpeakerRegistry(text)
    registry.add(
        SpeakerDraft("Antony Blinken", span(text, "Mr Blinken"), role="Secretary of State")
    )
    registry.add(SpeakerDraft("Blinken", span(text, "The top US diplomat"), affiliation="US"))
    he = text.index(" he said") + 1
    pronoun = SpeakerDraft("Mr. Blinken", Span(text="he", start=he, end=he + 2))
    registry.add(pronoun)
    registry.add(SpeakerDraft("unknown", None, kind="anonymous"))
    profiles = registry.profiles()
    blinken = next(p for p in profiles if p.name == "Antony Blinken")
    assert blinken.id == "antony-blinken" and blinken.role == "Secretary of State"
    assert blinken.affiliation == "US"
    mentions = [m.text.strip() for m in blinken.mentions]
    assert "Antony Blinken" in mentions and "Mr Blinken" in mentions
    assert "The top US diplomat" in mentions and "Blinken" in mentions and "he" in mentions
    assert registry.id_for(pronoun) == "antony-blinken"
    assert any(p.id == "unknown" for p in profiles)
    for p in profiles:
        for m in p.mentions:
            assert text[m.start : m.end] == m.text


def test_chinese_names_family_name_first() -> None:
    text = "President Xi Jinping met him. Xi said the talks went well."
    registry = SpeakerRegistry(text)
    registry.add(SpeakerDraft("Xi Jinping"))
    registry.add(SpeakerDraft("Xi"))
    [profile] = registry.profiles()
    assert profile.name == "Xi Jinping"
    assert [m.text for m in profile.mentions] == ["Xi Jinping", "Xi"]


def test_honorifics_are_not_names() -> None:
    assert name_tokens("Mr. Antony Blinken") == ["antony", "blinken"]
    assert name_tokens("President Biden") == ["biden"]


def _draft(text: str, name: str, nth: int = 0, kind: str = "anonymous") -> SpeakerDraft:
    return SpeakerDraft(name, span(text, name, nth), kind=kind)  # type: ignore[arg-type]


def test_unnamed_sources_are_never_merged_by_their_description() -> None:
    text = (
        "A Danish port official said one thing. The official added more. "
        "A senior customs official said another. The senior official then left. "
        "The official said goodbye. An official said nothing."
    )
    registry = SpeakerRegistry(text)
    drafts = [
        _draft(text, "A Danish port official"),
        _draft(text, "The official"),
        _draft(text, "A senior customs official"),
        _draft(text, "The senior official"),
        _draft(text, "The official", nth=1),
        _draft(text, "An official"),
    ]
    for d in drafts:
        registry.add(d)
    ids = [registry.id_for(d) for d in drafts]
    assert ids[0] == ids[1]  # "the official" refers back to the nearest official
    assert ids[2] == ids[3] == ids[4]  # … which is now the customs official
    assert ids[0] != ids[2]
    assert ids[5] not in ids[:5]  # an indefinite description is a new source
    assert len({p.id for p in registry.profiles()}) == 3


def test_same_description_twice_gets_distinct_ids() -> None:
    text = "A spokesperson said yes. Later, a spokesperson for the rival said no."
    registry = SpeakerRegistry(text)
    first, second = _draft(text, "A spokesperson"), _draft(text, "a spokesperson")
    registry.add(first)
    registry.add(second)
    assert registry.id_for(first) != registry.id_for(second)
    assert sorted(p.id for p in registry.profiles()) == ["spokesperson", "spokesperson-2"]


def test_a_joint_source_is_not_one_of_its_members() -> None:
    text = "Norway and Chile agreed. Chile said more. The Norway and Chile team left."
    registry = SpeakerRegistry(text)
    joint = _draft(text, "Norway and Chile", kind="government")
    member = _draft(text, "Chile", nth=1, kind="government")
    registry.add(joint)
    registry.add(member)
    assert registry.id_for(joint) == "norway-and-chile"
    assert registry.id_for(member) == "chile"


def test_a_paper_is_not_its_city_and_ids_never_collide() -> None:
    text = "The Washington Post reported it. Washington denied it. The Unknown said so."
    registry = SpeakerRegistry(text)
    post = _draft(text, "The Washington Post", kind="media")
    city = _draft(text, "Washington", nth=1, kind="government")
    odd = _draft(text, "The Unknown", kind="media")
    for d in (post, city, odd):
        registry.add(d)
    assert registry.id_for(post) != registry.id_for(city)
    assert registry.id_for(odd) != "unknown"


def test_a_modifier_ending_in_ing_before_the_head_is_kept() -> None:
    text = "A senior banking official said yes. The senior official then left."
    registry = SpeakerRegistry(text)
    first, later = _draft(text, "A senior banking official"), _draft(text, "The senior official")
    registry.add(first)
    registry.add(later)
    assert registry.id_for(first) == registry.id_for(later) == "senior-banking-official"
