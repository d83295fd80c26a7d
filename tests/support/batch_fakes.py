"""Fakes for batch tests: a grounded answer, a slow in-process endpoint, article files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from claimstance.schemas.models import Article
from tests.support.completions import (
    article_text,
    completion,
    quoted_claims,
    requested_targets,
)
from tests.support.fake_llm import FakeLLM

TARGET = "US–China cooperation"


def grounded(request: dict[str, Any]) -> dict[str, Any] | httpx.Response:
    """Every curly-quoted passage of the article, with a stance per requested target.

    An article containing ``FAIL401`` gets HTTP 401 (a non-retryable provider error).
    """
    text = article_text(request)
    if "FAIL401" in text:
        return httpx.Response(401, json={"error": {"message": "invalid key"}})
    return {"claims": quoted_claims(text, requested_targets(request), limit=3)}


class SlowFake(FakeLLM):
    """The grounded fake with a fixed latency per request (async, still in-process)."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(grounded)
        self.delay = delay

    async def handle(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.delay)
        body = json.loads(request.content)
        self.requests.append(body)
        result = grounded(body)
        if isinstance(result, httpx.Response):
            return result
        return httpx.Response(200, json=completion(result, body))

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))


def make_articles(count: int, *, seed_dir: Path, prefix: str = "a") -> list[Article]:
    """``count`` distinct articles built from the seed texts (a numbered first line)."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))]
    return [
        Article(id=f"{prefix}{i:05d}", text=f"Story {i}\n{seeds[i % len(seeds)]}")
        for i in range(count)
    ]


def write_jsonl(articles: list[Article], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for article in articles:
            f.write(json.dumps({"id": article.id, "text": article.text}, ensure_ascii=False) + "\n")
    return path
