"""Warm-cache re-run of 1,000 articles through ``claimstance batch`` (run by hand).

A first run fills the response cache from the stub; the measured run extracts the same
articles into a new job directory with every answer in the cache (no HTTP request). The
time is the whole command (interpreter start, imports, job, tables) and, separately, the
engine's own time from summary.json.

    .venv/bin/python -m benchmarks.bench_warm_cache --articles 1000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import batch_command, env, machine, stub_server, write_articles


def batch(source: Path, out: Path, base_url: str, cache: Path) -> float:
    command = batch_command(source, out, base_url, "--cache-dir", str(cache))
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env(OPENAI_API_KEY="sk-bench"))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp, stub_server(0.0) as base_url:
        root = Path(tmp)
        source = write_articles(root / "in.jsonl", args.articles)
        cold = batch(source, root / "cold", base_url, root / "cache")
        print(f"cold run (stub, 0 ms latency): {cold:.2f}s")
        for i in range(args.repeat):
            out = root / f"warm{i}"
            seconds = batch(source, out, base_url, root / "cache")
            summary = json.loads((out / "summary.json").read_text())
            assert summary["run"]["cached"] == args.articles, summary
            assert summary["run"]["calls"] == 0
            print(
                f"warm run {i + 1}: command {seconds:.2f}s, engine "
                f"{summary['run']['seconds']:.2f}s, {args.articles} cached"
            )
        again = time.perf_counter()
        batch(source, root / "warm0", base_url, root / "cache")
        print(f"re-run of a finished job (all skipped): {time.perf_counter() - again:.2f}s")


if __name__ == "__main__":
    main()
