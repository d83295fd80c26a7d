"""The one verb-inflection engine (detector cue forms and the gold reader's speech forms)."""

from __future__ import annotations

from claimstance.detect.cues import SPEECH_FORMS
from claimstance.evaluation.brat import is_speech_cue
from claimstance.text.inflect import inflect, verb_forms


def test_regular_forms() -> None:
    assert inflect("warn") == ["warn", "warns", "warned", "warning"]
    assert inflect("note") == ["note", "notes", "noted", "noting"]
    assert inflect("deny") == ["deny", "denies", "denied", "denying"]
    assert inflect("stress") == ["stress", "stresses", "stressed", "stressing"]


def test_irregular_and_doubled_forms() -> None:
    assert {"said", "says", "saying"} <= set(inflect("say"))
    assert {"wrote", "written"} <= set(inflect("write"))
    assert {"slammed", "slamming", "quipped"} <= verb_forms(["slam", "quip"])
    assert "scoffed" in inflect("scoff")  # a final double consonant is not doubled again
    assert {"labeled", "labelled"} <= set(inflect("label"))


def test_detector_and_gold_reader_share_it() -> None:
    assert {"slammed", "scoffed", "signalled"} <= SPEECH_FORMS
    assert is_speech_cue("are slamming") and is_speech_cue("quipped")
    assert not is_speech_cue("believed")
