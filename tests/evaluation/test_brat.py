"""The brat standoff gold reader: layouts, annotator choice, stance side files, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimstance.errors import InputError
from claimstance.evaluation.brat import (
    GoldSpan,
    corpus_stats,
    has_quotation_marks,
    is_speech_cue,
    read_ann,
    read_gold_dir,
)
from tests.support.paths import POLNEAR

TEXT = 'Smith said "we will win." "It is ours," he added, "and theirs." Polls show a tie.'


def _off(needle: str, text: str = TEXT) -> str:
    start = text.index(needle)
    return f"{start} {start + len(needle)}"


OURS, THEIRS = '"It is ours,"', '"and theirs."'
ANN = "\n".join(
    [
        f"T1\tSource {_off('Smith')}\tSmith",
        f"T2\tCue {_off('said')}\tsaid",
        f'T3\tContent {_off(chr(34) + "we will win." + chr(34))}\t"we will win."',
        f"T4\tAttribution {_off('said')}\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        # discontinuous content, fragments listed out of order
        f"T5\tContent {_off(THEIRS)};{_off(OURS)}\t{THEIRS} {OURS}",
        f"T6\tSource {_off('he')}\the",
        f"T7\tCue {_off('added')}\tadded",
        f"T8\tAttribution {_off('added')}\tadded",
        "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6",
        f"T9\tContent {_off('a tie')}\ta tie",
        f"T10\tCue {_off('show')}\tshow",
        f"T11\tAttribution-no-source {_off('show')}\tshow",
        "E3\tAttribution-no-source:T11 Content:T9 Cue:T10",
        "A1\tUncertain E3",
        "#1\tAnnotatorNotes T9\tpoll result",
        f"T12\tDiscuss {_off('Polls')}\tPolls",
    ]
)


def _flat(tmp_path: Path, stem: str = "doc1", ann: str = ANN, **extra: str) -> Path:
    (tmp_path / f"{stem}.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / f"{stem}.ann").write_text(ann + "\n", encoding="utf-8")
    for name, content in extra.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    return tmp_path


def test_flat_layout_parses_events_spans_and_no_source(tmp_path: Path) -> None:
    [doc] = read_gold_dir(_flat(tmp_path))
    assert doc.doc_id == "doc1" and doc.annotator is None and doc.warnings == ()
    said, added, polls = doc.attributions
    assert said.source is not None and said.source.text == "Smith"
    assert said.is_direct and said.is_speech
    assert added.content is not None
    assert added.content.fragments[0][0] > added.content.fragments[1][0]  # order kept as given
    assert added.content.start == TEXT.index('"It is ours,"')
    assert added.content.end == TEXT.index('"and theirs."') + len('"and theirs."')
    assert polls.source is None and polls.type == "Attribution-no-source"
    assert not polls.is_direct and not polls.is_speech


def test_gold_span_bounds() -> None:
    span = GoldSpan(((20, 30), (5, 9)), "x")
    assert (span.start, span.end) == (5, 30)


def test_content2_is_merged_and_offset_mismatch_is_a_warning() -> None:
    ann = (
        "T1\tContent 0 5\tSmith\nT2\tContent 6 10\tXXXX\nT3\tCue 6 10\tsaid\n"
        "T4\tAttribution 6 10\tsaid\nE1\tAttribution:T4 Content:T1 Content2:T2 Cue:T3\n"
    )
    [att], warnings = read_ann(ann, TEXT, source="x.ann")
    assert att.content is not None and att.content.fragments == ((0, 5), (6, 10))
    assert att.content.text == "Smith XXXX"
    assert len(warnings) == 1 and "T2" in warnings[0] and "x.ann:2" in warnings[0]


@pytest.mark.parametrize(
    "ann",
    [
        "T1\tContent 5 x\tfoo",
        "T1\tContent 9 5\tfoo",
        "T1\tContent 0 5\n",
        "E1\tAttribution:T9 Content:T1",
        "T1\tCue 0 5\tSmith\nT1\tCue 0 5\tSmith",
        "X1\twhat",
        "E1\tAttribution:T1 Content",
    ],
)
def test_malformed_ann_raises_input_error(ann: str) -> None:
    with pytest.raises(InputError):
        read_ann(ann, TEXT, source="bad.ann")


def test_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_gold_dir(tmp_path / "missing")
    with pytest.raises(InputError, match=r"no brat \.txt/\.ann pairs"):
        read_gold_dir(tmp_path)
    (tmp_path / "orphan.ann").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no article text"):
        read_gold_dir(tmp_path)


def test_non_utf8_raises_input_error(tmp_path: Path) -> None:
    _flat(tmp_path)
    (tmp_path / "doc1.ann").write_bytes(b"T1\tCue 0 5\t\xff\n")
    with pytest.raises(InputError, match="UTF-8"):
        read_gold_dir(tmp_path)


def test_multi_annotator_choice_is_deterministic(tmp_path: Path) -> None:
    text_dir, ann_dir = tmp_path / "text", tmp_path / "attributions"
    text_dir.mkdir()
    ann_dir.mkdir()
    (text_dir / "pol_2016_x.txt").write_text(TEXT, encoding="utf-8")
    for annotator in ("ef2d", "4e07", "d473"):
        (ann_dir / f"pol_2016_x_{annotator}.ann").write_text(ANN, encoding="utf-8")
    first = read_gold_dir(tmp_path)
    assert [d.annotator for d in first] == ["4e07"]
    assert first[0].annotators == ("4e07", "d473", "ef2d")
    assert read_gold_dir(tmp_path) == first
    assert read_gold_dir(tmp_path, annotator="ef2d")[0].annotator == "ef2d"
    assert read_gold_dir(tmp_path, annotator="none-such")[0].annotator == "4e07"
    (tmp_path / "metadata.tsv").write_text(
        "compartment\tfilename\tannotators\ndev\tpol_2016_x\td473|ef2d\n", encoding="utf-8"
    )
    assert read_gold_dir(tmp_path)[0].annotator == "d473"
    assert corpus_stats(read_gold_dir(tmp_path))["annotator_choices"] == {
        "pol_2016_x": {"chosen": "d473", "available": ["4e07", "d473", "ef2d"]}
    }


def test_stance_side_file(tmp_path: Path) -> None:
    side = "event_id\ttarget\tlabel\n# comment\nE1\tvictory\tFavor\nE2\tvictory\tagainst\n"
    [doc] = read_gold_dir(_flat(tmp_path, **{"doc1.stance.tsv": side}))
    assert [a.stances for a in doc.attributions] == [
        {"victory": "favor"},
        {"victory": "against"},
        {},
    ]


@pytest.mark.parametrize(
    ("side", "message"),
    [
        ("E9\tvictory\tfavor\n", "unknown attribution event"),
        ("E1\tvictory\tpositive\n", "stance label"),
        ("E1\tvictory\n", "expected event_id"),
        ("E1\tvictory\tfavor\nE1\tvictory\tagainst\n", "repeated target"),
    ],
)
def test_bad_stance_side_file(tmp_path: Path, side: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_gold_dir(_flat(tmp_path, **{"doc1.stance.tsv": side}))


@pytest.mark.parametrize(
    ("cue", "speech"),
    [
        ("said", True),
        ("has said", True),
        ("according to", True),
        ("told", True),
        ("tweeted:", True),
        ("called for", True),
        ("―", True),
        ("arguing", True),
        ("believes", False),
        ("fears", False),
        ("thinks", False),
        ("hopes", False),
        ("expects", False),
        ("worries", False),
        ("show", False),
        ("found", False),
    ],
)
def test_speech_cues(cue: str, speech: bool) -> None:
    assert is_speech_cue(cue) is speech


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ('"yes"', True),
        ("“yes”", True),
        ("‘in their heads’", True),
        ("''That makes me smart''", True),
        ("that Clinton’s team won't", False),
        ("that it is over", False),
    ],
)
def test_quotation_marks(text: str, marks: bool) -> None:
    assert has_quotation_marks(text) is marks


@pytest.mark.polnear
@pytest.mark.skipif(not POLNEAR.is_dir(), reason=f"PolNeAR dev set not found at {POLNEAR}")
def test_reads_polnear_dev() -> None:
    docs = read_gold_dir(POLNEAR)
    assert len(docs) == 84
    by_id = {d.doc_id: d for d in docs}
    multi = [d for d in docs if len(d.annotators) > 1]
    assert {d.doc_id for d in multi} == {
        "politico_2016-09-08_flynn-says-trump-absolutely-righ",
        "wash-post_2016-09-26_charlotte-struggles-to-return-to",
    }
    assert all(d.annotator == "4b22" for d in multi)
    assert by_id["breitbart_2016-09-12_stealth-over-health-hillary-clin"].annotator == "ef2d"
    stats = corpus_stats(docs)
    assert stats["attributions"] == sum(len(d.attributions) for d in docs) > 2000
    for doc in docs:
        for att in doc.attributions:
            for span in (att.content, att.source, att.cue):
                if span is not None:
                    joined = " ".join(doc.text[s:e] for s, e in span.fragments)
                    assert joined == span.text
    warnings = [w for d in docs for w in d.warnings]
    assert len(warnings) == 2  # one event without Content, one no-source event with a Source
