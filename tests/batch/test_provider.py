"""Provider batch mode against an in-process stub of the Files and Batches endpoints."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimstance.batch.engine import extraction_ids
from claimstance.batch.manifest import iter_jsonl
from claimstance.batch.provider import STATE_DIR, ProviderBatch
from claimstance.batch.stats import BatchSummary
from claimstance.config import Settings
from claimstance.errors import EXIT_FAILED, EXIT_OK, ConfigError, InputError
from claimstance.inputs import read_articles
from claimstance.llm.batches import BatchAPI, BatchInfo
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import Article, Extraction
from tests.support.batch_api_stub import BatchStub
from tests.support.batch_fakes import TARGET, SlowFake, grounded
from tests.support.completions import completion
from tests.support.fake_llm import FakeLLM
from tests.support.paths import SEEDS


class SimulatedCrash(BaseException):
    """Stands for the process dying (not an error the code under test may handle)."""


class CrashingAPI(BatchAPI):
    def __init__(self, settings: Settings, stub: BatchStub, *, crash_on: str) -> None:
        super().__init__(settings, http_client=stub.client(), sleep=_no_sleep)
        self.crash_on = crash_on

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        info = await super().create(input_file_id, metadata)
        if self.crash_on == "create":  # created at the provider, id never saved
            raise SimulatedCrash
        return info

    async def retrieve(self, batch_id: str) -> BatchInfo:
        if self.crash_on == "poll":
            raise SimulatedCrash
        return await super().retrieve(batch_id)


async def _no_sleep(seconds: float) -> None:
    return None


def run(
    settings: Settings,
    inputs: Callable[[], Any],
    out: Path,
    stub: BatchStub,
    *,
    crash_on: str = "",
    **kwargs: Any,
) -> BatchSummary:
    async def go() -> BatchSummary:
        extractor = Extractor(settings)
        api = CrashingAPI(settings, stub, crash_on=crash_on)
        try:
            job = ProviderBatch(inputs, out, extractor, api, poll_interval=0, **kwargs)
            return await job.run()
        finally:
            await api.aclose()
            extractor.close()

    return asyncio.run(go())


def seeds() -> Any:
    return read_articles([str(SEEDS)])


def test_provider_batch_grounds_results_like_the_live_path(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    stub = BatchStub(grounded)
    out = tmp_path / "job"
    summary = run(make_settings(), seeds, out, stub, targets=[TARGET])
    assert summary.exit_code == EXIT_OK and summary.stats.done == 5
    assert stub.uploads == 1 and stub.creates == 1 and stub.polls >= 2
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    batch_records = {r["article_id"]: r for r in iter_jsonl(out / "extractions.jsonl")}
    for article_id, record in batch_records.items():
        Extraction.model_validate(record, context={"text": texts[article_id]})
    assert not (out / STATE_DIR).exists()  # collected: the next run starts afresh
    # The same job run live gives the same extractions (apart from usage).
    live = SlowFake()
    extractor = Extractor(make_settings(), http_client_factory=live.client)
    request = json.loads(stub.files["file-1"].splitlines()[0])["body"]
    assert request["tools"] and request["tool_choice"]
    for article_id, record in batch_records.items():
        text = texts[article_id]
        expected = extractor.extract(
            Article(id=article_id, text=text, title=text.split("\n")[0]), targets=[TARGET]
        )
        assert record["claims"] == json.loads(expected.model_dump_json())["claims"]
    first = live.requests[0]
    assert {k: first[k] for k in ("messages", "tools", "tool_choice", "model")} == {
        k: request[k] for k in ("messages", "tools", "tool_choice", "model")
    }
    extractor.close()


def test_failed_requests_are_typed_errors(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    articles: list[Article | InputError] = [
        Article(id="ok", text="Title\nShe said “all is well”."),
        Article(id="denied", text="Title\nFAIL401 “no way”."),
    ]
    out = tmp_path / "job"
    summary = run(make_settings(), lambda: iter(articles), out, BatchStub(grounded))
    assert summary.exit_code == EXIT_FAILED
    assert extraction_ids(out) == ["ok"]
    [error] = list(iter_jsonl(out / "errors.jsonl"))
    assert error["article_id"] == "denied"
    assert error["error"]["type"] == "ProviderError" and error["error"]["status_code"] == 401


@pytest.mark.parametrize("crash_on", ["create", "poll"])
def test_resume_after_a_crash_never_submits_twice(
    crash_on: str, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    stub = BatchStub(grounded)
    out = tmp_path / "job"
    with pytest.raises(SimulatedCrash):
        run(make_settings(), seeds, out, stub, crash_on=crash_on)
    state = json.loads((out / STATE_DIR / "state.json").read_text())
    [shard] = state["shards"]
    assert shard["input_file_id"] == "file-1"
    assert (shard["batch_id"] is None) == (crash_on == "create")
    summary = run(make_settings(), seeds, out, stub)
    assert summary.exit_code == EXIT_OK and summary.stats.done == 5
    assert stub.uploads == 1 and stub.creates == 1  # resumed by batch id, not re-submitted
    assert sorted(extraction_ids(out)) == sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_requests_are_split_into_files(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    stub = BatchStub(grounded)
    summary = run(make_settings(), seeds, tmp_path / "job", stub, max_requests=2)
    assert summary.stats.done == 5 and stub.creates == 3  # 6 requests (one long seed)


def test_embedded_or_guided_is_refused(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="provider-batch"):
        run(make_settings(strategy="guided"), seeds, tmp_path / "job", BatchStub(grounded))


TWO_QUOTES = "Title\nShe said “all is well today”. He said “the plan will fail soon”."


def _cut_off(body: dict[str, Any]) -> None:
    """Tool arguments cut inside the second claim, as the token limit leaves them."""
    call = body["choices"][0]["message"]["tool_calls"][0]["function"]
    arguments = call["arguments"]
    call["arguments"] = arguments[: arguments.index("“the plan") + 12]
    body["choices"][0]["finish_reason"] = "length"


def _at_the_limit(body: dict[str, Any]) -> None:
    """Whole JSON, but the endpoint says the token limit ended it."""
    body["choices"][0]["finish_reason"] = "length"


def _one_claim_off_schema(body: dict[str, Any]) -> None:
    call = body["choices"][0]["message"]["tool_calls"][0]["function"]
    payload = json.loads(call["arguments"])
    payload["claims"][1]["kind"] = "rumour"
    call["arguments"] = json.dumps(payload, ensure_ascii=False)


def _wrong_schema(body: dict[str, Any]) -> None:
    call = body["choices"][0]["message"]["tool_calls"][0]["function"]
    call["arguments"] = json.dumps({"verdict": "yes"})


@dataclass
class EditingStub(BatchStub):
    """The Batch API stub with each answer's response body edited by ``edit`` first."""

    edit: Callable[[dict[str, Any]], None] = lambda body: None

    def _store(self, records: list[dict[str, Any]]) -> str:
        for record in records:
            body = (record.get("response") or {}).get("body") or {}
            if "choices" in body:
                self.edit(body)
        return super()._store(records)


def _live(settings: Settings, edit: Callable[[dict[str, Any]], None]) -> Extraction:
    """The same answer through the live article strategy."""

    def answer(request: dict[str, Any]) -> httpx.Response:
        result = grounded(request)
        assert isinstance(result, dict)
        body = completion(result, request)
        edit(body)
        return httpx.Response(200, json=body)

    with Extractor(settings, http_client_factory=FakeLLM(answer).client) as extractor:
        return extractor.extract(Article(id="cut", text=TWO_QUOTES, title="Title"))


BOTH = ["“all is well today”", "“the plan will fail soon”"]


@pytest.mark.parametrize(
    ("edit", "reason", "kept"),
    [
        (_cut_off, "cut off", BOTH[:1]),
        (_at_the_limit, "cut off", BOTH),
        (_one_claim_off_schema, "did not fit the schema", BOTH[:1]),
    ],
)
def test_a_degraded_batch_answer_is_kept_with_the_live_path_s_warning(
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], None],
    reason: str,
    kept: list[str],
) -> None:
    out = tmp_path / "job"
    articles = [Article(id="cut", text=TWO_QUOTES, title="Title")]
    stub = EditingStub(grounded, edit=edit)
    summary = run(make_settings(), lambda: iter(articles), out, stub)
    assert summary.exit_code == EXIT_OK
    [record] = list(iter_jsonl(out / "extractions.jsonl"))
    [warning] = [w for w in record["warnings"] if w["code"] == "answer_incomplete"]
    assert reason in warning["message"]
    assert [c["quote"]["text"] for c in record["claims"]] == kept
    if edit is not _at_the_limit:  # the live path reads a whole answer as complete
        live = _live(make_settings(cache_enabled=False), edit)
        assert record["warnings"] == [w.model_dump() for w in live.warnings]


def test_a_wrong_schema_batch_answer_fails_its_article(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    out = tmp_path / "job"
    articles = [Article(id="odd", text=TWO_QUOTES, title="Title")]
    summary = run(
        make_settings(), lambda: iter(articles), out, EditingStub(grounded, edit=_wrong_schema)
    )
    assert summary.exit_code == EXIT_FAILED
    [error] = list(iter_jsonl(out / "errors.jsonl"))
    assert (error["article_id"], error["error"]["code"]) == ("odd", "extraction")
    assert error["usage"]["calls"] == 1
