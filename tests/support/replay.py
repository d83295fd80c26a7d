"""Recorded LLM traffic for processes the test cannot patch (Ray actors): strict replay.

A recording is JSONL of ``{"key", "request", "response"}``, the key being a hash of the
canonical request body. ``ReplayFactory`` is picklable and builds an httpx client whose
transport answers from the recording and fails on any request it has not seen.

Re-record (after a prompt or schema change): ``python -m tests.support.replay``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx

from claimstance.config import Settings
from claimstance.inputs import read_articles
from claimstance.pipeline.extractor import Extractor
from tests.support.batch_fakes import TARGET, grounded
from tests.support.fake_llm import BASE_URL, FakeLLM
from tests.support.paths import ROOT, SEEDS

RECORDING = ROOT / "tests" / "data" / "seeds_article_traffic.jsonl"


def request_key(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ReplayFactory:
    """``http_client_factory`` replaying ``path``; unknown requests get HTTP 599."""

    def __init__(self, path: Path = RECORDING) -> None:
        self.path = str(path)

    def __call__(self) -> httpx.AsyncClient:
        answers: dict[str, Any] = {}
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                answers[record["key"]] = record["response"]

        def handle(request: httpx.Request) -> httpx.Response:
            key = request_key(json.loads(request.content))
            if key not in answers:
                message = "request not in the recording (re-record: python -m tests.support.replay)"
                return httpx.Response(599, json={"error": {"message": message}})
            return httpx.Response(200, json=answers[key])

        return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def record(targets: list[str]) -> int:
    """Run the article strategy over the seeds against the grounded fake and record it."""

    lines: list[str] = []

    def answer(body: dict[str, Any]) -> Any:
        return grounded(body)

    fake = FakeLLM(answer)

    def handle(request: httpx.Request) -> httpx.Response:
        response = fake(request)
        body = json.loads(request.content)
        lines.append(
            json.dumps(
                {"key": request_key(body), "request": body, "response": response.json()},
                ensure_ascii=False,
            )
        )
        return response

    settings = Settings.from_env(
        {},
        base_url=BASE_URL,
        api_key="sk-test",
        model="fake-model",
        strategy="article",
        cache_enabled=False,
    )
    factory = lambda: httpx.AsyncClient(transport=httpx.MockTransport(handle))  # noqa: E731

    async def go() -> None:
        extractor = Extractor(settings, http_client_factory=factory)
        for item in read_articles([str(SEEDS)]):
            assert not isinstance(item, Exception)
            await extractor.aextract(item, targets=targets)
        await extractor.aclose()
        extractor.close()

    asyncio.run(go())
    RECORDING.write_text("".join(line + "\n" for line in sorted(lines)), encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    print(record([TARGET]), "requests recorded in", RECORDING)
