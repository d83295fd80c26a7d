"""Reading inputs: typed errors for bad files, nothing else lost."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from claimstance.errors import InputError
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import as_article
from claimstance.schemas.models import Article


def read(*paths: Path | str) -> list[Article | InputError]:
    return list(read_articles([str(p) for p in paths]))


def test_text_file_title_and_raw_text_kept(tmp_path: Path) -> None:
    raw = "\n\n  Headline here  \r\nBody “quoted” text.\r\n"
    path = tmp_path / "a1.txt"
    path.write_bytes(raw.encode())
    [article] = read(path)
    assert isinstance(article, Article)
    assert article.id == "a1" and article.title == "Headline here"
    assert article.text == raw  # offsets refer to the text exactly as given


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("caf\u00e9 au lait".encode("latin-1"), "not valid UTF-8"),
    ],
    ids=["empty", "blank", "binary", "latin1"],
)
def test_bad_files_give_typed_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [error] = read(path)
    assert isinstance(error, InputError)
    assert message in str(error) and str(path) in str(error)


def test_directory_mixes_good_and_bad_and_loses_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title A\nBody.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00bad")
    lines = [
        json.dumps({"id": "j1", "text": "Title J\nBody.", "source": "Reuters"}),
        "{not json",
        json.dumps({"id": "j3"}),
        json.dumps({"id": "j4", "text": "Body four."}),
    ]
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(tmp_path)
    good = [i.id for i in items if isinstance(i, Article)]
    bad = [str(i) for i in items if isinstance(i, InputError)]
    assert good == ["a", "j1", "j4"]
    assert len(bad) == 3
    assert any("c.jsonl:2" in b and "invalid JSON" in b for b in bad)
    assert any("c.jsonl:3" in b and "text" in b for b in bad)


def test_missing_path(tmp_path: Path) -> None:
    [error] = read(tmp_path / "nope.txt")
    assert isinstance(error, InputError) and "no such file" in str(error)


def test_stdin_plain_text_and_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Hello\nworld")))
    [article] = read("-")
    assert isinstance(article, Article) and article.text == "Hello\nworld"
    payload = json.dumps({"text": "x"}) + "\n" + json.dumps({"text": "y", "id": "b"}) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload.encode())))
    items = read("-")
    assert [a.id for a in items if isinstance(a, Article)][1] == "b"


def test_empty_text_through_the_api() -> None:
    with pytest.raises(InputError):
        as_article("  \n ")


def test_default_id_is_a_stable_hash() -> None:
    assert Article(text="abc").id == Article(text="abc").id != Article(text="abd").id


def test_a_lone_surrogate_in_a_jsonl_record_is_that_line_s_input_error(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"id": "p\\ud800", "text": "A said B."}\n{"id": "ok", "text": "C said D."}\n',
        encoding="utf-8",
    )
    first, second = list(read_articles([str(path)]))
    assert isinstance(first, InputError) and "lone surrogate" in str(first)
    assert first.source is not None and first.source.endswith(":1")
    assert not isinstance(second, InputError) and second.id == "ok"


def test_jsonl_metadata_is_kept_and_integer_ids_become_strings(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    record = {
        "id": 1234,
        "text": "“Yes,” she said.",
        "title": "Yes",
        "source": "Example Times",
        "url": "https://example.org/yes",
        "published": "2026-11-30",
    }
    lines = [json.dumps(record), json.dumps({"id": True, "text": "x"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good, bad = list(read_articles([str(path)]))
    assert isinstance(good, Article)
    assert (
        good.id == "1234" and good.source == "Example Times" and str(good.published) == "2026-11-30"
    )
    assert isinstance(bad, InputError) and "id" in str(bad)  # a boolean is not an id
