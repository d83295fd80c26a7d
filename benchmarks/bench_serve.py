"""``claimstance serve`` under 200 concurrent clients against the Extractor in-process.

Both extract the same distinct articles (one chunk each, the article strategy) against
the fixed-latency stub on loopback, at the same concurrency, with the response cache
off (every article costs its LLM request). The server runs as ``claimstance serve`` in
its own process, one worker; the clients are httpx tasks in this process. Reported:
latency p50 / p99 per article, articles per second of each, their ratio, and errors.

    .venv/bin/python -m benchmarks.bench_serve --latency 0.05 --clients 200 --articles 4000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import CLI, env, machine, stub_server, write_articles
from claimstance.batch.extractor import make_extractor
from claimstance.config import Settings
from claimstance.inputs import read_articles
from claimstance.schemas.models import Article

TOKEN = "bench-token-0123456789"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def in_process(base_url: str, articles: list[Article], clients: int) -> dict[str, float]:
    settings = Settings.from_env(
        {}, base_url=base_url, api_key="sk-bench", strategy="article", cache_enabled=False
    )
    extractor = make_extractor(settings, max(clients, 64))  # as the server builds its own
    queue: asyncio.Queue[Article] = asyncio.Queue()
    for article in articles:
        queue.put_nowait(article)
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        while not queue.empty():
            article = queue.get_nowait()
            started = time.perf_counter()
            try:
                await extractor.aextract(article)
            except Exception:
                errors += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    await extractor.aclose()
    extractor.close()
    return _figures(latencies, elapsed, errors)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """One request on a kept-alive connection; the response's status."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def over_http(url: str, articles: list[Article], clients: int) -> dict[str, float]:
    """``clients`` kept-alive HTTP/1.1 connections posting /v1/extract. The client is a
    few lines over asyncio streams: on a 2-core machine a full HTTP client library would
    take as much CPU as the server it measures."""
    host, port = url.removeprefix("http://").split(":")
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for article in articles:
        body = json.dumps({"id": article.id, "text": article.text}).encode()
        queue.put_nowait(
            b"POST /v1/extract HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port), limit=2**24)
        try:
            while not queue.empty():
                request = queue.get_nowait()
                started = time.perf_counter()
                try:
                    status = await _exchange(reader, writer, request)
                except (OSError, asyncio.IncompleteReadError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port), limit=2**24)
                else:
                    errors += status != 200
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return _figures(latencies, elapsed, errors)


def _figures(latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    return {
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": _percentile(latencies, 0.99),
        "errors": errors,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(base_url: str, state: Path, port: int) -> subprocess.Popen[bytes]:
    extra = {
        "CLAIMSTANCE_BASE_URL": base_url,
        "CLAIMSTANCE_API_KEY": "sk-bench",
        "CLAIMSTANCE_STRATEGY": "article",
        "CLAIMSTANCE_CACHE": "0",
        "CLAIMSTANCE_API_TOKEN": TOKEN,
        "CLAIMSTANCE_STATE_DIR": str(state),
        "CLAIMSTANCE_MAX_IN_FLIGHT": "256",
    }
    command = [CLI, "serve", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(command, env=env(**extra), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("claimstance serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(machine())
    with stub_server(args.latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        path = write_articles(Path(tmp) / "in.jsonl", args.articles)
        articles = [a for a in read_articles([str(path)]) if isinstance(a, Article)]
        port = _free_port()
        server = _serve(base_url, Path(tmp) / "state", port)
        url = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(over_http(url, articles[:200], 20))  # warm-up: imports, connections
            asyncio.run(in_process(base_url, articles[:200], 20))
            local: dict[str, float] = {}
            served: dict[str, float] = {}
            for _ in range(args.repeat):  # alternate; keep the best rate of each
                run = asyncio.run(in_process(base_url, articles, args.clients))
                local = max(local, run, key=lambda r: r.get("rate", 0.0))
                run = asyncio.run(over_http(url, articles, args.clients))
                served = max(served, run, key=lambda r: r.get("rate", 0.0))
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(
        f"\n{args.clients} clients, {len(articles)} articles, stub latency "
        f"{args.latency * 1000:.0f} ms, pid {os.getpid()}\n"
    )
    print("| | articles/s | p50 (ms) | p99 (ms) | errors |")
    print("|---|---|---|---|---|")
    for name, run in (("Extractor in-process", local), ("claimstance serve", served)):
        print(
            f"| {name} | {run['rate']:.1f} | {run['p50'] * 1000:.0f} | "
            f"{run['p99'] * 1000:.0f} | {run['errors']:.0f} |"
        )
    print(f"\nratio serve / in-process: {served['rate'] / local['rate']:.3f}")


if __name__ == "__main__":
    main()
