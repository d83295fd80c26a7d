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
    registry.add(SpeakerDraft("Mr. Blinken", Span(text="he", start=he, end=he + 2)))
    registry.add(SpeakerDraft("unknown", None, kind="anonymous"))
    profiles = registry.profiles()
    blinken = next(p for p in profiles if p.name == "Antony Blinken")
    assert blinken.id == "antony-blinken" and blinken.role == "Secretary of State"
    assert blinken.affiliation == "US"
    mentions = [m.text.strip() for m in blinken.mentions]
    assert "Antony Blinken" in mentions and "Mr Blinken" in mentions
    assert "The top US diplomat" in mentions and "Blinken" in mentions and "he" in mentions
    assert registry.speaker_id("Mr Blinken") == "antony-blinken"
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
