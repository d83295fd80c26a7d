"""Embedded model: tokens/s through claimstance versus the same requests sent directly.

claimstance runs the guided strategy (the embedded default) over the seed articles on
the bundled SmolLM2 llama.cpp server toward one target, recording every request it sends
(stance decisions go to the plain-text completions endpoint). The same
bodies are then sent straight to the same llama.cpp server with a plain httpx client at
the same concurrency. Tokens are the server's own usage counts (prompt + completion);
both sides send identical requests, so the ratio is a ratio of wall times. Runs
alternate and the best of ``--repeat`` is kept. The cache is off.

    .venv/bin/python -m benchmarks.bench_embedded --repeat 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import SEEDS, machine
from claimstance.config import Settings
from claimstance.inputs import read_articles
from claimstance.local_model.server import shared_server
from claimstance.pipeline.extractor import Extractor

Sent = tuple[str, dict[str, Any]]  # endpoint path below /v1, request body


async def through_claimstance(settings: Settings, bodies: list[Sent]) -> tuple[int, float]:
    async def record(request: httpx.Request) -> None:
        for path in ("/chat/completions", "/completions"):  # stance: plain-text completions
            if request.url.path.endswith(path):
                bodies.append((path, json.loads(request.content)))
                return

    extractor = Extractor(
        settings, http_client_factory=lambda: httpx.AsyncClient(event_hooks={"request": [record]})
    )
    articles = [a for a in read_articles([str(SEEDS)]) if not isinstance(a, Exception)]
    started = time.perf_counter()
    extractions = await asyncio.gather(
        *(extractor.aextract(a, targets=["US–China cooperation"]) for a in articles)
    )
    elapsed = time.perf_counter() - started
    await extractor.aclose()
    extractor.close()
    tokens = sum(e.usage.prompt_tokens + e.usage.completion_tokens for e in extractions)
    return tokens, elapsed


async def direct(base_url: str, bodies: list[Sent], concurrency: int) -> tuple[int, float]:
    limiter = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=600) as client:

        async def one(sent: Sent) -> int:
            path, body = sent
            async with limiter:
                response = await client.post(path, json=body)
                response.raise_for_status()
                usage = response.json()["usage"]
                return int(usage["prompt_tokens"]) + int(usage["completion_tokens"])

        started = time.perf_counter()
        tokens = sum(await asyncio.gather(*(one(b) for b in bodies)))
        return tokens, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({}, cache_enabled=False, cache_dir=Path(tmp) / "cache")
        assert settings.embedded and settings.resolved_strategy == "guided"
        server = shared_server(settings)
        print(f"embedded server up in {server.startup_seconds:.1f}s at {server.base_url}")
        best_ours, best_direct = 0.0, 0.0
        for i in range(args.repeat):
            bodies: list[Sent] = []
            tokens, seconds = asyncio.run(through_claimstance(settings, bodies))
            ours = tokens / seconds
            d_tokens, d_seconds = asyncio.run(direct(server.base_url, bodies, settings.concurrency))
            plain = d_tokens / d_seconds
            print(
                f"run {i + 1}: claimstance {tokens} tokens in {seconds:.1f}s = {ours:.0f} tok/s; "
                f"direct {d_tokens} tokens in {d_seconds:.1f}s = {plain:.0f} tok/s "
                f"({len(bodies)} requests)",
                flush=True,
            )
            best_ours, best_direct = max(best_ours, ours), max(best_direct, plain)
        print(
            f"best: claimstance {best_ours:.0f} tok/s, direct {best_direct:.0f} tok/s, "
            f"ratio {best_ours / best_direct:.3f}"
        )


if __name__ == "__main__":
    main()
