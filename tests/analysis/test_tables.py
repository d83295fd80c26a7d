"""The four tables: columns, long-form stances, files, pandas, the reader and the command."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from claimstance.analysis.frames import COLUMNS, TABLES, build_tables
from claimstance.cli import app
from claimstance.errors import ConfigError, InputError
from claimstance.schemas.models import Extraction
from claimstance.tables import read_extractions, resolve_speakers, to_pandas, write
from tests.support.corpus import extraction
from tests.support.paths import ROOT

GUIDED = ROOT / "tests" / "expected" / "guided.jsonl"


def corpus() -> list[Extraction]:
    return [
        extraction(
            "a1",
            "Antony Blinken [Secretary of State] *2",
            "anon:the official",
            targets=("China", "the talks"),
            source="Wire",
            published=date(2024, 4, 26),
        ),
        extraction("a2", "Mr Blinken", "gov:China", source="Daily"),
    ]


def test_every_column_is_plain_and_documented() -> None:
    docs = (ROOT / "docs" / "architecture.md").read_text()
    section = docs.split("## Cross-article analysis", 1)[1]
    for table, columns in COLUMNS.items():
        assert f"`{table}`" in section
        for column in columns:
            assert column.name.isidentifier(), column.name  # no stance[T] columns
            assert f"`{column.name}`" in section, (table, column.name)


def test_rows_carry_the_corpus_speaker_and_one_stance_row_per_claim_and_target() -> None:
    tables = build_tables(corpus())
    for name in TABLES:
        for row in tables[name]:
            assert list(row) == [c.name for c in COLUMNS[name]]
    claims, stances = tables["claims"], tables["stances"]
    assert [r["corpus_speaker_id"] for r in claims] == [
        "antony-blinken",
        "antony-blinken",
        "a1:the-official",
        "antony-blinken",
        "china",
    ]
    assert claims[0]["published"] == "2024-04-26" and claims[0]["source"] == "Wire"
    assert claims[3]["speaker"] == "Mr Blinken" and claims[3]["corpus_speaker"] == "Antony Blinken"
    assert claims[0]["speaker_role"] == "Secretary of State"
    assert len(stances) == 3 * 2 + 2  # a1: two targets per claim; a2: one
    first = [r for r in stances if r["claim_id"] == claims[0]["claim_id"]]
    assert [r["target"] for r in first] == ["China", "the talks"]
    assert first[0]["target_kind"] == "given" and first[0]["confidence"] == 0.75
    assert first[1]["confidence"] is None and first[1]["published"] == "2024-04-26"
    speakers = {r["corpus_speaker_id"]: r for r in tables["speakers"]}
    blinken = speakers["antony-blinken"]
    assert (blinken["article_count"], blinken["claim_count"]) == (2, 3)
    assert blinken["aliases"] == "Mr Blinken" and blinken["roles"] == "Secretary of State"
    assert "a2/mr-blinken (Mr Blinken): surname 'Blinken'" in blinken["joins"]
    mentions = tables["mentions"]
    assert {r["corpus_speaker_id"] for r in mentions} == set(speakers)
    assert all(r["end"] - r["start"] == len(r["text"]) for r in mentions)


def test_the_files_hold_the_same_rows_in_csv_and_parquet(tmp_path: Path) -> None:
    written = write(corpus(), tmp_path / "tables")
    assert [p.name for p, _ in written] == [f"{t}.{f}" for t in TABLES for f in ("csv", "parquet")]
    for path, rows in written:
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            assert table.num_rows == rows
            assert table.column_names == [c.name for c in COLUMNS[path.stem]]
        else:
            lines = path.read_text().splitlines()
            assert len(lines) == rows + 1
    assert not list((tmp_path / "tables").glob(".*.tmp"))
    stances = pq.read_table(tmp_path / "tables" / "stances.parquet").to_pylist()
    assert stances[0]["evidence_start"] == 1 and isinstance(stances[0]["confidence"], float)


def test_empty_results_still_give_the_tables_their_columns(tmp_path: Path) -> None:
    write([], tmp_path)
    assert pq.read_table(tmp_path / "claims.parquet").column_names[:2] == ["article_id", "title"]


def test_to_pandas_gives_the_four_frames_with_nullable_offsets() -> None:
    frames = to_pandas(corpus())
    assert list(frames) == list(TABLES)
    claims = frames["claims"]
    assert str(claims["quote_start"].dtype) == "Int64"
    assert claims["cue"].iloc[0] == "said"
    counts = frames["stances"].groupby("corpus_speaker_id").size().to_dict()
    assert counts == {"a1:the-official": 2, "antony-blinken": 5, "china": 1}
    assert frames["speakers"]["claim_count"].sum() == len(claims)


def test_to_pandas_without_pandas_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ConfigError, match=r"claimstance\[analysis\]"):
        to_pandas(corpus())


def test_the_reader_takes_files_and_job_directories_and_a_torn_last_line(tmp_path: Path) -> None:
    first, second = corpus()
    plain = tmp_path / "a.jsonl"
    plain.write_text(first.model_dump_json() + "\n")
    job = tmp_path / "job"
    job.mkdir()
    torn = second.model_dump_json()
    (job / "extractions.jsonl").write_text(torn + "\n" + torn.replace("a2", "a3")[:50])
    found = read_extractions([plain, str(job)])
    assert [e.article_id for e in found] == ["a1", "a2"]
    no_newline = tmp_path / "b.jsonl"
    no_newline.write_text(first.model_dump_json())  # complete, only the newline missing
    assert [e.article_id for e in read_extractions(no_newline)] == ["a1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json\n{}\n", "a.jsonl:1: not JSON"),
        ("[1, 2]\n", "a.jsonl:1: not a JSON object"),
        ('{"article_id": "x"}\n', "a.jsonl:1: not an Extraction"),
        ("\n" + json.dumps({"model": 1}) + "\n", "a.jsonl:2: not an Extraction"),
    ],
)
def test_a_bad_line_is_an_input_error_naming_it(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_extractions([path])


def test_the_reader_refuses_missing_paths_plain_folders_and_repeats(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_extractions([tmp_path / "missing.jsonl"])
    with pytest.raises(InputError, match=r"without extractions\.jsonl"):
        read_extractions([tmp_path])
    with pytest.raises(InputError, match="also in"):
        read_extractions([GUIDED, GUIDED])


def test_the_tables_command_writes_eight_files_for_the_seeds(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = CliRunner().invoke(app, ["tables", str(GUIDED), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    speakers_count = len(resolve_speakers(read_extractions([GUIDED])).speakers)
    assert len(lines) == 8 and lines[0] == f"{out / 'speakers.csv'}  {speakers_count} rows"
    speakers = pq.read_table(out / "speakers.parquet").to_pylist()
    blinken = next(s for s in speakers if s["corpus_speaker_id"] == "antony-blinken")
    assert blinken["article_count"] == 4
    claims = pq.read_table(out / "claims.parquet")
    assert claims.num_rows == sum(len(e.claims) for e in read_extractions(GUIDED))


def test_the_tables_command_fails_on_a_bad_result_with_exit_code_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n{}\n")
    result = CliRunner().invoke(app, ["tables", str(bad), "--out", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert "error (input)" in result.stderr and "bad.jsonl:1" in result.stderr
    assert not (tmp_path / "t").exists()
