"""The command line against a fake endpoint (respx intercepts the HTTP client)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from claimstance.cli import app
from claimstance.schemas.models import Extraction
from tests.support.fake_llm import BASE_URL, FakeLLM, article_in, claim
from tests.support.paths import SEEDS


def quote_everything(request: dict[str, Any]) -> dict[str, Any]:
    """Return the first curly-quoted passage of the article, if any."""
    text = article_in(request)
    start = text.find("“")
    end = text.find("”", start)
    if start == -1 or end == -1:
        return {"claims": []}
    return {"claims": [claim(text[start : end + 1], "Someone Important")]}


@pytest.fixture
def fake_endpoint() -> Any:
    fake = FakeLLM(quote_everything)
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{BASE_URL}/chat/completions").mock(side_effect=fake)
        yield fake


def invoke(args: list[str], tmp_path: Path) -> Any:
    env = {"OPENAI_API_KEY": "sk-test", "CLAIMSTANCE_CACHE_DIR": str(tmp_path / "cache")}
    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


def test_extract_seeds_writes_grounded_jsonl(fake_endpoint: FakeLLM, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = [
        "extract",
        str(SEEDS),
        "--base-url",
        BASE_URL,
        "--out",
        str(out),
        "-t",
        "US–China cooperation",
    ]
    result = invoke(args, tmp_path)
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for line in lines:
        record = json.loads(line)
        text = texts[record["article_id"]]
        extraction = Extraction.model_validate(record, context={"text": text})
        for span in extraction.spans():
            assert text[span.start : span.end] == span.text
        for c in extraction.claims:
            assert [s.target for s in c.stances] == ["US–China cooperation"]
    calls = len(fake_endpoint.requests)
    assert calls >= 5
    # An identical second run makes zero HTTP calls.
    assert invoke(args, tmp_path).exit_code == 0
    assert len(fake_endpoint.requests) == calls
    # Changing the model makes calls again.
    assert invoke([*args, "--model", "other"], tmp_path).exit_code == 0
    assert len(fake_endpoint.requests) > calls


def test_bad_inputs_fail_alone_with_exit_code_1(fake_endpoint: FakeLLM, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Title\nShe said “fine”.", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin.txt").write_bytes("Titre\nIl a dit « très ».".encode("latin-1"))
    out = tmp_path / "out.jsonl"
    result = invoke(["extract", str(folder), "--base-url", BASE_URL, "-o", str(out)], tmp_path)
    assert result.exit_code == 1
    assert "empty" in result.output and "UTF-8" in result.output
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["article_id"] == "good"


def test_provider_failure_is_reported_per_article(tmp_path: Path) -> None:
    with respx.mock() as router:
        router.post(f"{BASE_URL}/chat/completions").mock(
            return_value=httpx.Response(
                401, json={"error": {"message": "Incorrect API key provided: sk-test-LEAKED12345"}}
            )
        )
        result = invoke(
            [
                "extract",
                str(SEEDS / next(p.name for p in SEEDS.glob("000_*"))),
                "--base-url",
                BASE_URL,
            ],
            tmp_path,
        )
    assert result.exit_code == 1
    assert "401" in result.output
    # One line naming the article, and the key the endpoint echoed is not repeated.
    [line] = [ln for ln in result.output.splitlines() if ln.startswith("error")]
    assert "000_432c437322a1c691" in line
    assert "LEAKED12345" not in result.output and "sk-[redacted]" in line


def test_schema_command_writes_files(tmp_path: Path) -> None:
    result = invoke(["schema", "--out", str(tmp_path)], tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / "extraction.schema.json").exists()


def test_extract_creates_the_output_folder(fake_endpoint: FakeLLM, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder" / "seeds.jsonl"
    result = invoke(["extract", str(SEEDS), "--base-url", BASE_URL, "-o", str(out)], tmp_path)
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5
