"""Throughput of the batch engine versus a plain AsyncOpenAI loop (run by hand).

Both send the same requests (the article strategy's messages and tool schema, built by
``service.llm.request_body``) to the fixed-latency stub on loopback, at the same
concurrency; one article is one request (the inputs fit one chunk). Runs alternate
(baseline, claimstance, ...) and the best of ``--repeat`` runs of each is kept, which
damps noise from other processes on a small machine.

    .venv/bin/python benchmarks/bench_throughput.py --latency 0.05 --concurrency 1 8 64
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import openai

from benchmarks.common import machine, stub_server, write_articles
from schemas.drafts import ArticleDraft
from service.batch import run_batch
from service.batch_job import make_extractor
from service.config import Settings
from service.inputs import read_articles
from service.llm import request_body
from service.prompts import load_prompt


def settings_for(base_url: str) -> Settings:
    return Settings.from_env(
        {},
        base_url=base_url,
        api_key="sk-bench",
        model="gpt-4o-mini",
        strategy="article",
        cache_enabled=False,
    )


def bodies(path: Path, settings: Settings) -> list[dict[str, object]]:
    prompt = load_prompt("article")
    out = []
    for article in read_articles([str(path)]):
        assert not isinstance(article, Exception)
        messages = prompt.render(
            title=article.title, text=article.text, part=1, part_count=1, lede="", targets=[]
        )
        out.append(request_body(settings, ArticleDraft, messages))
    return out


async def baseline(base_url: str, requests: list[dict[str, object]], concurrency: int) -> float:
    """Requests per second of a plain AsyncOpenAI loop with ``concurrency`` workers."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = openai.AsyncOpenAI(
        api_key="sk-bench",
        base_url=base_url,
        max_retries=0,
        http_client=httpx.AsyncClient(limits=limits),
    )
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    for body in requests:
        queue.put_nowait(body)

    async def worker() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            await client.chat.completions.create(**body)  # type: ignore[call-overload]

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await client.close()
    return len(requests) / elapsed


async def engine(settings: Settings, path: Path, concurrency: int) -> float:
    """Articles per second of ``run_batch`` (the engine behind ``claimstance batch``)."""
    out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    extractor = make_extractor(settings, concurrency)
    try:
        started = time.perf_counter()
        summary = await run_batch(
            read_articles([str(path)]), out, extractor, concurrency=concurrency
        )
        elapsed = time.perf_counter() - started
        assert summary.stats.done == summary.stats.calls, summary.to_dict()
        return summary.stats.done / elapsed
    finally:
        await extractor.aclose()
        extractor.close()
        shutil.rmtree(out)


def apply_proposed_caches() -> None:
    """What-if (not in the package): the two per-request costs that dominate the engine.

    1. ``Prompt.render`` compiles both Jinja templates on every call (~4-5 ms here);
    2. ``RunContext.ask`` regenerates the response model's JSON schema for the cache key
       on every call (~4-9 ms here), and instructor does it again for the request.
    Compiling each template once and memoising ``model_json_schema()`` per class removes
    both; this patches them in-process to measure the effect.
    """
    import functools

    from pydantic import BaseModel

    import service.prompts as prompts

    compile_once = functools.cache(prompts._ENV.from_string)

    def render(self: prompts.Prompt, **variables: object) -> list[dict[str, str]]:
        system = compile_once(self.system).render(**variables)
        user = compile_once(self.user).render(**variables)
        return [
            {"role": "system", "content": system.strip()},
            {"role": "user", "content": user.strip()},
        ]

    prompts.Prompt.render = render  # type: ignore[method-assign]
    original = BaseModel.model_json_schema.__func__  # type: ignore[attr-defined]
    memo: dict[type, dict[str, object]] = {}

    def model_json_schema(cls: type[BaseModel], *args: object, **kwargs: object) -> object:
        if args or kwargs:
            return original(cls, *args, **kwargs)
        if cls not in memo:
            memo[cls] = original(cls)
        return memo[cls]

    BaseModel.model_json_schema = classmethod(model_json_schema)  # type: ignore[assignment,method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--seconds", type=float, default=6.0, help="target length of a run")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--what-if-caches",
        action="store_true",
        help="measure with the two proposed caches patched in (see above)",
    )
    args = parser.parse_args()
    print(machine())
    if args.what_if_caches:
        apply_proposed_caches()
        print("what-if: template compile cache and model_json_schema memo patched in")
    with stub_server(args.latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(base_url)
        print(
            "| concurrency | articles | plain AsyncOpenAI (req/s) | claimstance batch "
            "(articles/s) | ratio |"
        )
        print("|---|---|---|---|---|")
        # Warm-up: first-use imports (instructor, pyarrow for the tables) and connections.
        warm = write_articles(Path(tmp) / "warm.jsonl", 16)
        asyncio.run(baseline(base_url, bodies(warm, settings), 4))
        asyncio.run(engine(settings, warm, 4))
        for concurrency in args.concurrency:
            count = max(20, int(args.seconds * concurrency / args.latency))
            path = write_articles(Path(tmp) / f"in-{concurrency}.jsonl", min(count, 2000))
            requests = bodies(path, settings)
            plain, ours = 0.0, 0.0
            for _ in range(args.repeat):
                plain = max(plain, asyncio.run(baseline(base_url, requests, concurrency)))
                ours = max(ours, asyncio.run(engine(settings, path, concurrency)))
            print(
                f"| {concurrency} | {len(requests)} | {plain:.1f} | {ours:.1f} | "
                f"{ours / plain:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
