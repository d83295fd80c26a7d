"""The BASIL stance gold: reading it, and scoring coverage, stance and speakers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimstance.errors import InputError
from claimstance.evaluation.basil import is_basil_dir, read_basil_dir
from claimstance.evaluation.stance_score import score_stances
from claimstance.schemas.models import Claim, Extraction, Span, Speaker, Stance
from tests.support.paths import BASIL

ARTICLE = {
    "title": "Senator attacks budget",
    "body-paragraphs": [
        ["Senator Jane Roe spoke on Monday.", '"The budget is a disaster," Roe said.'],
        ['Aides praised the mayor: "He has done great work," one said.'],
    ],
}


def _row(txt: str, speaker: str, target: str, polarity: str, **extra: str) -> dict[str, str]:
    return {
        "txt": txt,
        "quote": "yes",
        "aim": "dir",
        "speaker": speaker,
        "target": target,
        "polarity": polarity,
        "id": f"p{len(txt)}",
        **extra,
    }


ROWS = [
    _row("The budget is a disaster", "Jane_Roe", "Barack_Obama", "neg"),
    _row("He has done great work", "other_pro", "Tom_Mayor", "pos"),
    _row("not quoted", "", "Barack_Obama", "neg", quote="no"),
    _row("indirect aim", "Jane_Roe", "Barack_Obama", "neg", aim="ind"),
    _row("words that are not in the article", "Jane_Roe", "Barack_Obama", "neg"),
]


def write_basil(root: Path) -> Path:
    (root / "articles" / "2012").mkdir(parents=True)
    (root / "annotations" / "2012").mkdir(parents=True)
    (root / "articles" / "2012" / "abc_1.json").write_text(json.dumps(ARTICLE))
    annotations = {"phrase-level-annotations": ROWS}
    (root / "annotations" / "2012" / "abc_1_ann.json").write_text(json.dumps(annotations))
    return root


def test_quoted_direct_spans_are_located_in_the_rebuilt_text(tmp_path: Path) -> None:
    [doc] = read_basil_dir(write_basil(tmp_path))
    assert is_basil_dir(tmp_path) and doc.doc_id == "abc_1"
    assert doc.text.startswith("Senator attacks budget\n\nSenator Jane Roe spoke on Monday. ")
    assert [(s.text, s.label, s.target, s.speaker) for s in doc.spans] == [
        ("The budget is a disaster", "against", "Barack Obama", "Jane Roe"),
        ("He has done great work", "favor", "Tom Mayor", ""),  # other_pro: unnamed
    ]
    assert all(doc.text[s.start : s.end] == s.text for s in doc.spans)
    assert doc.unlocated == 1 and doc.targets == ["Barack Obama", "Tom Mayor"]


def test_a_folder_that_is_not_basil_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a BASIL folder"):
        read_basil_dir(tmp_path)


def _claim(text: str, quote: str, speaker: str, stances: list[Stance]) -> Claim:
    start = text.index(quote)
    span = Span(text=quote, start=start, end=start + len(quote))
    return Claim(
        id=f"q{start}",
        quote=span,
        kind="direct",
        claim=quote,
        speaker=Speaker(id="s", name=speaker),
        stances=stances,
    )


def test_coverage_stance_and_speaker_are_scored_on_covered_spans(tmp_path: Path) -> None:
    [doc] = read_basil_dir(write_basil(tmp_path))
    claims = [
        _claim(
            doc.text,
            '"The budget is a disaster,"',
            "Jane Roe",
            [Stance(target="barack  OBAMA", label="against")],
        ),  # target folded
    ]
    extraction = Extraction(
        article_id=doc.doc_id, claims=claims, model="m", strategy="guided", prompt_version="-"
    )
    scores = score_stances([doc], {doc.doc_id: extraction}).to_json()
    assert scores["coverage"] == 0.5 and scores["covered"] == 1
    assert scores["f1"]["against"] == 1.0 and scores["f1"]["favor"] == 0.0
    assert scores["stance_macro_f1"] == 0.5
    assert scores["speaker_accuracy"] == 1.0 and scores["speakers_evaluated"] == 1


@pytest.mark.skipif(not BASIL.is_dir(), reason=f"BASIL dev set not found at {BASIL}")
def test_the_shared_basil_dev_split_reads_completely() -> None:
    docs = read_basil_dir(BASIL)
    spans = [s for d in docs for s in d.spans]
    assert len(spans) >= 280 and sum(d.unlocated for d in docs) == 0
    assert {s.label for s in spans} == {"favor", "against"}


def test_speakers_match_by_name_not_by_a_shared_last_word() -> None:
    from claimstance.evaluation.stance_score import same_speaker

    assert same_speaker("Romney", "Mitt Romney")
    assert same_speaker("Missouri Rep Todd Akin", "Todd Akin")
    assert not same_speaker("Romney campaign", "Obama campaign")
    assert not same_speaker("John Smith", "Will Smith")
