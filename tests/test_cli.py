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


def test_version_and_readable_option_errors(tmp_path: Path) -> None:
    version = invoke(["--version"], tmp_path)
    assert version.exit_code == 0 and version.output.strip() == "claimstance 0.1.0"
    bad = invoke(["extract", str(SEEDS), "--strategy", "foo"], tmp_path)
    assert bad.exit_code == 2
    lines = [line for line in bad.output.splitlines() if line.strip()]
    assert lines == [
        "error (config): invalid setting strategy (CLAIMSTANCE_STRATEGY) = 'foo': "
        "Input should be 'auto', 'article' or 'guided'"
    ]


def test_schema_prints_one_schema_with_its_dialect_and_id(tmp_path: Path) -> None:
    result = invoke(["schema"], tmp_path)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:claimstance:schema:extraction:")
    assert invoke(["schema", "article"], tmp_path).exit_code == 0
    assert invoke(["schema", "nothing"], tmp_path).exit_code == 2


def test_every_run_says_which_model_answers(fake_endpoint: FakeLLM, tmp_path: Path) -> None:
    result = invoke(
        ["extract", str(SEEDS), "--base-url", BASE_URL, "-o", str(tmp_path / "o")], tmp_path
    )
    said = [line for line in result.stderr.splitlines() if line.startswith("using ")]
    assert said == ["using model gpt-4o-mini at http://fake-llm.test/v1, article strategy"]


def test_local_forces_the_embedded_model_despite_a_key(tmp_path: Path) -> None:
    from claimstance.config import Settings

    settings = Settings.from_env({"OPENAI_API_KEY": "sk-abcdefgh", "CLAIMSTANCE_LOCAL": "1"})
    assert settings.embedded and settings.resolved_strategy == "guided"
    assert Settings.from_env({"OPENAI_API_KEY": "sk-abcdefgh"}, local=True).embedded
    assert not Settings.from_env({"OPENAI_API_KEY": "sk-abcdefgh"}).embedded


def test_serve_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    result = invoke(["serve", "--host", "0.0.0.0"], tmp_path)
    assert result.exit_code == 2
    assert "CLAIMSTANCE_API_TOKEN" in result.output


def test_extract_keeps_input_order_with_concurrency(fake_endpoint: FakeLLM, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    args = ["extract", str(SEEDS), "--base-url", BASE_URL, "-o", str(out), "--concurrency", "5"]
    assert invoke(args, tmp_path).exit_code == 0
    ids = [json.loads(line)["article_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == sorted(p.stem for p in SEEDS.glob("*.txt"))
