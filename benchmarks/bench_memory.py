"""Peak RSS of ``claimstance batch`` for 1,000 and 20,000 articles (run by hand).

Each size runs as its own process against the stub (5 ms latency, concurrency 64, no
cache); the peak resident set size is the child's ``ru_maxrss`` from ``wait4``.

    .venv/bin/python -m benchmarks.bench_memory --sizes 1000 20000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import batch_command, env, machine, stub_server, write_articles


def peak_rss_mb(command: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env(OPENAI_API_KEY="sk-bench"))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{command} exited {proc.returncode}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--latency", type=float, default=0.005)
    args = parser.parse_args()
    print(machine())
    results = []
    with tempfile.TemporaryDirectory() as tmp, stub_server(args.latency) as base_url:
        for size in args.sizes:
            source = write_articles(Path(tmp) / f"in-{size}.jsonl", size)
            out = Path(tmp) / f"out-{size}"
            rss, seconds = peak_rss_mb(batch_command(source, out, base_url, "--no-cache"))
            results.append((size, rss))
            print(f"{size} articles: peak RSS {rss:.1f} MB, {seconds:.1f}s", flush=True)
    (small, small_rss), (large, large_rss) = results[0], results[-1]
    print(f"growth from {small} to {large} articles: {large_rss - small_rss:+.1f} MB")


if __name__ == "__main__":
    main()
