"""Throughput of the batch engine versus a plain AsyncOpenAI loop (run by hand).

Both send the same requests (the article strategy's messages and tool schema, built by
``claimstance.llm.batches.request_body``) to the fixed-latency stub on loopback, at the same
concurrency; one article is one request (the inputs fit one chunk). Runs alternate
(baseline, claimstance, ...) and the best of ``--repeat`` runs of each is kept, which
damps noise from other processes on a small machine. With ``--workers N`` the comparison
is ``claimstance batch --workers N`` against the plain loop in N processes.

    .venv/bin/python -m benchmarks.bench_throughput --latency 0.05 --concurrency 1 8 64 \
        --workers 1 2
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import openai

from benchmarks.common import machine, stub_server, write_articles
from claimstance.batch.engine import run_batch
from claimstance.batch.extractor import make_extractor
from claimstance.config import Settings
from claimstance.inputs import read_articles
from claimstance.llm.batches import request_body
from claimstance.llm.http_pool import pooled_client
from claimstance.pipeline.article import chunk_messages
from claimstance.schemas.drafts import ArticleDraft


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
    """The request of each article (one chunk each), exactly as the article strategy builds it."""
    out = []
    for article in read_articles([str(path)]):
        assert not isinstance(article, Exception)
        messages = chunk_messages(article, [], (0, len(article.text)), 1, 1)
        out.append(request_body(settings, ArticleDraft, messages))
    return out


async def baseline(
    base_url: str, requests: list[dict[str, object]], concurrency: int, sharded: bool = False
) -> float:
    """Requests per second of a plain AsyncOpenAI loop with ``concurrency`` workers.

    ``sharded`` gives it claimstance's connection pool (``claimstance.llm.http_pool``), which
    isolates claimstance's own overhead from the pool's cost.
    """
    if sharded:
        http_client = pooled_client(concurrency, 120.0)
    else:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        http_client = httpx.AsyncClient(limits=limits)
    client = openai.AsyncOpenAI(
        api_key="sk-bench", base_url=base_url, max_retries=0, http_client=http_client
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


def _baseline_share(
    base_url: str, requests: list[dict[str, object]], concurrency: int, sharded: bool
) -> None:
    asyncio.run(baseline(base_url, requests, concurrency, sharded))


def plain_rate(
    base_url: str,
    requests: list[dict[str, object]],
    concurrency: int,
    processes: int,
    sharded: bool = False,
) -> float:
    """The plain loop in ``processes`` processes sharing the requests and the concurrency.

    Timed like ``claimstance batch --workers N``: from starting the processes to the last
    answer, so both pay for starting Python and importing the SDK.
    """
    if processes == 1:
        return asyncio.run(baseline(base_url, requests, concurrency, sharded))
    shares = [requests[i::processes] for i in range(processes)]
    per_process = -(-concurrency // processes)
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        runs = [pool.submit(_baseline_share, base_url, s, per_process, sharded) for s in shares]
        for run in runs:
            run.result()
    return len(requests) / (time.perf_counter() - started)


async def engine(settings: Settings, path: Path, concurrency: int, workers: int = 1) -> float:
    """Articles per second of ``run_batch`` (the engine behind ``claimstance batch``)."""
    out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    extractor = make_extractor(settings, concurrency)
    try:
        started = time.perf_counter()
        summary = await run_batch(
            read_articles([str(path)]), out, extractor, concurrency=concurrency, workers=workers
        )
        elapsed = time.perf_counter() - started
        assert summary.stats.done == summary.stats.calls, summary.to_dict()
        return summary.stats.done / elapsed
    finally:
        await extractor.aclose()
        extractor.close()
        shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--seconds", type=float, default=6.0, help="target length of a run")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1],
        help="process counts: claimstance batch --workers N against the plain loop in N processes",
    )
    args = parser.parse_args()
    print(machine())
    with stub_server(args.latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(base_url)
        print(
            "| processes | concurrency | articles | plain AsyncOpenAI (req/s) | same, sharded "
            "pool (req/s) | claimstance batch (articles/s) | ratio | ratio to sharded |"
        )
        print("|---|---|---|---|---|---|---|---|")
        # Warm-up: first-use imports (instructor, pyarrow for the tables) and connections.
        warm = write_articles(Path(tmp) / "warm.jsonl", 16)
        asyncio.run(baseline(base_url, bodies(warm, settings), 4))
        asyncio.run(engine(settings, warm, 4))
        for workers in args.workers:
            for concurrency in args.concurrency:
                if concurrency < workers:
                    continue
                count = max(20, int(args.seconds * concurrency / args.latency))
                path = write_articles(Path(tmp) / f"in-{concurrency}.jsonl", min(count, 2000))
                requests = bodies(path, settings)
                plain, sharded, ours = 0.0, 0.0, 0.0
                for _ in range(args.repeat):
                    plain = max(plain, plain_rate(base_url, requests, concurrency, workers))
                    sharded = max(
                        sharded, plain_rate(base_url, requests, concurrency, workers, True)
                    )
                    ours = max(ours, asyncio.run(engine(settings, path, concurrency, workers)))
                print(
                    f"| {workers} | {concurrency} | {len(requests)} | {plain:.1f} | "
                    f"{sharded:.1f} | {ours:.1f} | {ours / plain:.3f} | {ours / sharded:.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
