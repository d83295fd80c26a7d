"""Fault injection: each way an endpoint can fail, through ``extract`` and ``batch``.

One article of four meets the fault (its text holds ``FAULT``); the stub answers the others
well. For every fault: the run ends in bounded time, the faulty article gets the typed error
(or a degraded result with its warning) under its own id, the other three are extracted, the
exit code is the documented one, and the job's accounting equals the requests the stub saw.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from claimstance.batch.manifest import iter_jsonl
from claimstance.cli import app
from claimstance.errors import EXIT_FAILED, EXIT_OK
from tests.support.batch_fakes import grounded, make_articles
from tests.support.completions import article_text, completion
from tests.support.fake_llm import BASE_URL
from tests.support.paths import SEEDS
from tests.support.socket_stub import Reply, SocketStub

Fault = Callable[[dict[str, Any]], httpx.Response]


def _good(request: dict[str, Any]) -> dict[str, Any]:
    answer = grounded(request)
    assert isinstance(answer, dict)
    return completion(answer, request)


def _cut_off(request: dict[str, Any]) -> httpx.Response:
    body = _good(request)
    call = body["choices"][0]["message"]["tool_calls"][0]["function"]
    call["arguments"] = call["arguments"][:-2] + ', {"quote": "“cut he'
    body["choices"][0]["finish_reason"] = "length"
    return httpx.Response(200, json=body)


def _refusal(request: dict[str, Any]) -> httpx.Response:
    body = _good(request)
    body["choices"][0]["message"] = {"role": "assistant", "content": None, "refusal": "No."}
    return httpx.Response(200, json=body)


def _no_choices(request: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={**_good(request), "choices": []})


def _wrong_schema(request: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=completion({"verdict": "yes"}, request))


def _huge(request: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=completion({"claims": [{"quote": "x" * 20_000_000}]}, request))


#: fault -> (the stub's answer, the error code recorded, or None for a degraded success
#: carrying the warning named in the third field)
FAULTS: dict[str, tuple[Fault, str | None, str | None]] = {
    "429 with Retry-After": (
        lambda r: httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "slow"}),
        "provider",
        None,
    ),
    "500": (lambda r: httpx.Response(500, json={"error": "boom"}), "provider", None),
    "503": (lambda r: httpx.Response(503, text="unavailable"), "provider", None),
    "malformed JSON body": (
        lambda r: httpx.Response(200, text='{"choices": [}'),
        "extraction",
        None,
    ),
    "cut off at the token limit": (_cut_off, None, "answer_incomplete"),
    "a refusal": (_refusal, "extraction", None),
    "no choices": (_no_choices, "extraction", None),
    "wrong-schema JSON": (_wrong_schema, "extraction", None),
    "a 20 MB body": (_huge, None, "answer_incomplete"),
}


def _router(fault: Fault, seen: list[dict[str, Any]]) -> Callable[[httpx.Request], Any]:
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        if "FAULT" in article_text(body):
            return fault(body)
        return httpx.Response(200, json=_good(body))

    return answer


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for article in make_articles(3, seed_dir=SEEDS):
        (folder / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
    (folder / "faulty.txt").write_text("FAULT\n\n“We will talk again,” the envoy said.", "utf-8")
    return folder


def _invoke(args: list[str], env: dict[str, str], answer: Callable[[httpx.Request], Any]) -> Any:
    """``claimstance ARGS`` with the stub answering every chat completion."""
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{BASE_URL}/chat/completions").mock(side_effect=answer)
        return CliRunner().invoke(
            app, [*args, "--base-url", BASE_URL], env=env, catch_exceptions=False
        )


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "sk-test",
        "CLAIMSTANCE_CACHE": "0",
        "CLAIMSTANCE_TRANSPORT_RETRIES": "2",
        "CLAIMSTANCE_MAX_REASKS": "1",
        "CLAIMSTANCE_TIMEOUT": "2",
        "CLAIMSTANCE_CACHE_DIR": str(tmp_path / "cache"),
    }


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_batch_records_the_fault_under_its_article_and_goes_on(tmp_path: Path, name: str) -> None:
    fault, code, warning = FAULTS[name]
    seen: list[dict[str, Any]] = []
    out = tmp_path / "job"
    args = ["batch", str(_inputs(tmp_path)), "--out", str(out)]
    result = _invoke(args, _env(tmp_path), _router(fault, seen))
    done = {r["article_id"]: r for r in iter_jsonl(out / "extractions.jsonl")}
    errors = list(iter_jsonl(out / "errors.jsonl"))
    if code is None:
        assert result.exit_code == EXIT_OK, result.output
        assert len(done) == 4 and errors == []
        assert warning in [w["code"] for w in done["faulty"]["warnings"]]
    else:
        assert result.exit_code == EXIT_FAILED, result.output
        assert len(done) == 3 and "faulty" not in done
        [error] = errors
        assert (error["article_id"], error["error"]["code"]) == ("faulty", code)
    faulty = [r for r in seen if "FAULT" in article_text(r)]
    assert 1 <= len(faulty) <= 3 * 2  # bounded: retries (2) or re-asks (1), never more
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["calls"] == len(seen)


def test_a_hanging_endpoint_ends_at_the_timeout_for_that_article_only(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        if "FAULT" in article_text(body):
            await asyncio.sleep(60)
        return httpx.Response(200, json=_good(body))

    out = tmp_path / "job"
    env = {**_env(tmp_path), "CLAIMSTANCE_TIMEOUT": "0.5", "CLAIMSTANCE_TRANSPORT_RETRIES": "1"}
    result = _invoke(["batch", str(_inputs(tmp_path)), "--out", str(out)], env, answer)
    assert result.exit_code == EXIT_FAILED, result.output
    [error] = list(iter_jsonl(out / "errors.jsonl"))
    assert error["article_id"] == "faulty" and error["error"]["code"] == "provider"
    assert "CLAIMSTANCE_TIMEOUT" in error["error"]["message"]
    assert len(list(iter_jsonl(out / "extractions.jsonl"))) == 3
    assert json.loads((out / "summary.json").read_text())["run"]["calls"] == len(seen)


@pytest.mark.parametrize("name", ["500", "wrong-schema JSON", "cut off at the token limit"])
def test_extract_prints_one_line_per_failure_and_writes_the_rest(tmp_path: Path, name: str) -> None:
    fault, code, _ = FAULTS[name]
    seen: list[dict[str, Any]] = []
    target = tmp_path / "out.jsonl"
    args = ["extract", str(_inputs(tmp_path)), "-o", str(target)]
    result = _invoke(args, _env(tmp_path), _router(fault, seen))
    lines = target.read_text(encoding="utf-8").splitlines()
    if code is None:
        assert result.exit_code == EXIT_OK and len(lines) == 4
    else:
        assert result.exit_code == EXIT_FAILED and len(lines) == 3
        [line] = [ln for ln in result.output.splitlines() if ln.startswith("error")]
        assert f"({code}) faulty" in line and len(line) < 400


#: Faults on the wire, over a real socket (tests/support/socket_stub.py): the faulty
#: article's answer dripped a byte every 50 ms (its 600-odd bytes take half a minute, each
#: read well inside the 1 s timeout), or its headers and half its body, then the
#: connection closed. Both are transport failures: retried, then a provider error.
WIRE_FAULTS: dict[str, Callable[[bytes], Reply]] = {
    "bytes dripped slowly": lambda body: Reply(body, drip=0.05),
    "closed mid-body": lambda body: Reply(body, cut_after=len(body) // 2),
}
WIRE_TIMEOUT = 1.0
#: A run's wall time: the drip alone would hold one attempt for about 30 s. Well over what
#: a run takes (start-up and the other articles' parse included) on a busy machine.
WIRE_SECONDS = 20.0


def _wire(fault: Callable[[bytes], Reply]) -> Callable[[dict[str, Any]], Reply]:
    def respond(body: dict[str, Any]) -> Reply:
        good = Reply.json(_good(body))
        return fault(good.body) if "FAULT" in article_text(body) else good

    return respond


def _invoke_wire(args: list[str], env: dict[str, str], stub: SocketStub) -> tuple[Any, float]:
    started = time.monotonic()
    result = CliRunner().invoke(
        app, [*args, "--base-url", stub.base_url], env=env, catch_exceptions=False
    )
    return result, time.monotonic() - started


def _wire_env(tmp_path: Path) -> dict[str, str]:
    return {**_env(tmp_path), "CLAIMSTANCE_TIMEOUT": str(WIRE_TIMEOUT)}


def _faulty_attempts(stub: SocketStub) -> list[float]:
    """When the stub read each of the faulty article's requests."""
    pairs = zip(stub.requests, stub.received, strict=True)
    return [t for r, t in pairs if "FAULT" in article_text(r)]


@pytest.mark.parametrize("name", sorted(WIRE_FAULTS))
def test_batch_over_a_socket_bounds_a_faulty_wire(tmp_path: Path, name: str) -> None:
    out = tmp_path / "job"
    with SocketStub(_wire(WIRE_FAULTS[name])) as stub:
        args = ["batch", str(_inputs(tmp_path)), "--out", str(out)]
        result, seconds = _invoke_wire(args, _wire_env(tmp_path), stub)
    assert seconds < WIRE_SECONDS, result.output
    assert result.exit_code == EXIT_FAILED, result.output
    [error] = list(iter_jsonl(out / "errors.jsonl"))
    assert (error["article_id"], error["error"]["code"]) == ("faulty", "provider")
    done = {r["article_id"] for r in iter_jsonl(out / "extractions.jsonl")}
    assert len(done) == 3 and "faulty" not in done
    attempts = _faulty_attempts(stub)
    assert 2 <= len(attempts) <= 3  # retried (at most 2), none starting after three timeouts
    assert attempts[-1] - attempts[0] < 3 * WIRE_TIMEOUT
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["calls"] == len(stub.requests)
    assert error["usage"]["calls"] == len(attempts)


@pytest.mark.parametrize("name", sorted(WIRE_FAULTS))
def test_extract_over_a_socket_bounds_a_faulty_wire(tmp_path: Path, name: str) -> None:
    target = tmp_path / "out.jsonl"
    with SocketStub(_wire(WIRE_FAULTS[name])) as stub:
        args = ["extract", str(_inputs(tmp_path)), "-o", str(target)]
        result, seconds = _invoke_wire(args, _wire_env(tmp_path), stub)
    assert seconds < WIRE_SECONDS, result.output
    assert result.exit_code == EXIT_FAILED, result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(ln)["article_id"] != "faulty" for ln in lines)
    [line] = [ln for ln in result.output.splitlines() if ln.startswith("error")]
    assert "(provider) faulty" in line and len(line) < 400
    attempts = _faulty_attempts(stub)
    assert 2 <= len(attempts) <= 3 and attempts[-1] - attempts[0] < 3 * WIRE_TIMEOUT
    calls = sum(json.loads(ln)["usage"]["calls"] for ln in lines)
    assert calls + len(attempts) == len(stub.requests)
