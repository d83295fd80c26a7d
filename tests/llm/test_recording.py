"""Recording and replaying LLM traffic: ``--record`` / ``--replay`` and ``claimstance diff``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import respx
from typer.testing import CliRunner

from claimstance.cli import app
from tests.support.batch_fakes import TARGET, grounded
from tests.support.fake_llm import FakeLLM
from tests.support.paths import SEEDS

SECRET_KEY = "sk-live-SECRET1234567890"
CREDENTIALED_URL = "http://alice:hunter2secret@fake-llm.test/v1"


def _run(args: list[str], tmp_path: Path, **env: str) -> Any:
    environment = {"OPENAI_API_KEY": SECRET_KEY, "CLAIMSTANCE_CACHE_DIR": str(tmp_path / "c")}
    return CliRunner().invoke(app, args, env={**environment, **env}, catch_exceptions=False)


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, Path]:
    """The seeds extracted against the fake endpoint with a key and URL credentials, recorded."""
    fake = FakeLLM(grounded)
    out, recording = tmp_path / "recorded.jsonl", tmp_path / "rec"
    with respx.mock(assert_all_called=False) as router:
        router.post("http://fake-llm.test/v1/chat/completions").mock(side_effect=fake)
        args = ["extract", str(SEEDS), "--base-url", CREDENTIALED_URL, "-t", TARGET]
        result = _run([*args, "-o", str(out), "--record", str(recording)], tmp_path)
    assert result.exit_code == 0, result.output
    assert len(fake.requests) >= 5
    return out, recording


def test_a_recording_holds_no_secret(recorded: tuple[Path, Path]) -> None:
    _, recording = recorded
    for path in recording.iterdir():
        text = path.read_text(encoding="utf-8")
        assert SECRET_KEY not in text and "SECRET123" not in text
        assert "hunter2secret" not in text and "alice" not in text
    manifest = json.loads((recording / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"] == 5 and manifest["requests"] >= 5
    assert manifest["prompt_version"].startswith("article@") and manifest["targets"] == [TARGET]


def test_a_replay_reproduces_the_run_without_the_endpoint(
    recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    out, recording = recorded
    replayed = tmp_path / "replayed.jsonl"
    with respx.mock(assert_all_called=False) as router:  # anything reaching the wire fails
        route = router.route().respond(500)
        args = ["extract", str(SEEDS), "--base-url", CREDENTIALED_URL, "-t", TARGET]
        result = _run([*args, "-o", str(replayed), "--replay", str(recording)], tmp_path)
    assert result.exit_code == 0, result.output
    assert not route.called
    assert replayed.read_bytes() == out.read_bytes()
    assert "replay reproduced the recorded outputs" in result.stderr


def test_a_changed_request_fails_naming_the_article_and_what_differs(
    recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    _, recording = recorded
    args = ["extract", str(SEEDS), "--base-url", CREDENTIALED_URL, "-t", "another target"]
    result = _run([*args, "-o", str(tmp_path / "x.jsonl"), "--replay", str(recording)], tmp_path)
    assert result.exit_code == 1
    first = sorted(p.stem for p in SEEDS.glob("*.txt"))[0]
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert lines and first in lines[0] and "no recording of POST /v1/chat/completions" in lines[0]
    assert "replay differs from the recording: targets" in result.stderr


def test_diff_lists_exactly_the_changed_claims(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    out, _ = recorded
    same = _run(["diff", str(out), str(out)], tmp_path)
    assert same.exit_code == 0 and "0 of 5 articles changed" in same.stdout
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    article = next(r for r in records if len(r["claims"]) >= 2)
    first, second = article["claims"][0], article["claims"][1]
    first["stances"][0]["label"] = (
        "against" if first["stances"][0]["label"] != "against" else "favor"
    )
    first["stances"][0]["confidence"] = 0.99
    removed = article["claims"].pop(1)
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = tmp_path / "diff.json"
    result = _run(["diff", str(out), str(changed), "--json", str(report)], tmp_path)
    assert result.exit_code == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["totals"] == {
        "articles": 5,
        "articles_changed": 1,
        "claims_added": 0,
        "claims_removed": 1,
        "claims_changed": 1,
    }
    [entry] = data["articles"]
    assert entry["article_id"] == article["article_id"]
    assert [c["claim_id"] for c in entry["removed"]] == [removed["id"]] == [second["id"]]
    [change] = entry["changed"]
    assert change["claim_id"] == first["id"]
    assert set(change["changes"]) == {f"stance[{TARGET}].label", f"stance[{TARGET}].confidence"}


def test_a_recording_is_a_vcrpy_cassette(recorded: tuple[Path, Path]) -> None:
    """vcrpy itself replays what the recorder wrote (strict: method, path, body)."""
    import httpx
    import vcr
    import yaml

    _, recording = recorded
    cassette = recording / "cassette.yaml"
    first = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"][0]
    assert first["request"]["headers"] == {}  # no header, so no key, is ever written
    with vcr.use_cassette(str(cassette), record_mode="none", match_on=["method", "path", "body"]):
        response = httpx.post(first["request"]["uri"], content=first["request"]["body"].encode())
    assert response.status_code == 200
    assert response.text == first["response"]["body"]["string"]


@pytest.mark.embedded
@pytest.mark.skipif(
    os.environ.get("CLAIMSTANCE_TEST_EMBEDDED") != "1", reason="set CLAIMSTANCE_TEST_EMBEDDED=1"
)
def test_the_seeds_recorded_with_the_embedded_model_replay_byte_for_byte(tmp_path: Path) -> None:
    """The issue's acceptance run: record with the real model, replay with none."""
    common = ["batch", str(SEEDS), "-t", TARGET, "--concurrency", "1", "-q"]
    env = {"OPENAI_API_KEY": "", "CLAIMSTANCE_CACHE_DIR": str(tmp_path / "c")}
    recorded = CliRunner().invoke(
        app, [*common, "-o", str(tmp_path / "a"), "--record", str(tmp_path / "rec")], env=env
    )
    assert recorded.exit_code == 0, recorded.output
    with respx.mock(assert_all_called=False) as router:  # no network, and no model is started
        route = router.route().respond(500)
        replayed = CliRunner().invoke(
            app, [*common, "-o", str(tmp_path / "b"), "--replay", str(tmp_path / "rec")], env=env
        )
    assert replayed.exit_code == 0, replayed.output
    assert not route.called
    first = (tmp_path / "a" / "extractions.jsonl").read_bytes()
    assert first and first == (tmp_path / "b" / "extractions.jsonl").read_bytes()
