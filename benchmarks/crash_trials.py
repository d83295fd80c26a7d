"""Crash safety, repeatably: SIGKILL a batch job at random moments, resume, count (by hand).

    .venv/bin/python -m benchmarks.crash_trials [--trials 20] [--articles 150] [--seed 1]

Each trial starts ``tests.support.batch_worker`` (the batch engine against the in-process
slow stub, 30 ms per request, concurrency 4) on a fresh job, kills it with SIGKILL at a
random moment (up to three times, resuming in between), then lets a last run finish. It
checks that every article is in ``extractions.jsonl`` exactly once, that no line is torn
(every line is whole JSON, the file ends with a newline) and that ``claims.parquet`` has one
row per claim. Every fifth trial stops the job with SIGTERM instead and checks that it exits
with code 130 and leaves nothing torn, as Ctrl-C does. Each run is bounded by a timeout.
Prints one line per trial and the totals: trials, articles lost, duplicated, torn lines.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.common import ROOT, SEEDS
from claimstance.batch.manifest import EXTRACTIONS
from claimstance.errors import EXIT_INTERRUPTED
from tests.support.batch_fakes import make_articles, write_jsonl
from tests.support.batch_worker import worker_command

RUN_TIMEOUT = 120.0


def _lines(path: Path) -> tuple[list[dict[str, object]], int]:
    """The whole JSON lines of a job's extractions, and how many lines are torn."""
    if not path.exists():
        return [], 0
    raw = path.read_bytes()
    torn = 0 if not raw or raw.endswith(b"\n") else 1
    records = []
    for line in raw.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            torn += 1
    return records, torn


def _start(source: Path, out: Path) -> subprocess.Popen[bytes]:
    command, env = worker_command(source, out)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def trial(rng: random.Random, articles: int, work: Path, *, sigterm: bool) -> dict[str, int]:
    wanted = make_articles(articles, seed_dir=SEEDS)
    source = write_jsonl(wanted, work / "in.jsonl")
    out = work / "job"
    mid_job = 0
    for _ in range(1 if sigterm else rng.randint(1, 3)):
        proc = _start(source, out)
        if sigterm:  # once the job writes: before that, Python's own SIGTERM default applies
            deadline = time.monotonic() + RUN_TIMEOUT
            while not _lines(out / EXTRACTIONS)[0] and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.3))
        else:
            time.sleep(rng.uniform(0.8, 3.0))  # the interpreter starts in about 1 s
        proc.send_signal(signal.SIGTERM if sigterm else signal.SIGKILL)
        code = proc.wait(timeout=RUN_TIMEOUT)
        mid_job += code != 0 and len(_lines(out / EXTRACTIONS)[0]) < articles
        if sigterm and code != EXIT_INTERRUPTED:
            raise SystemExit(f"SIGTERM gave exit code {code}, not {EXIT_INTERRUPTED}")
    final = _start(source, out)
    if final.wait(timeout=RUN_TIMEOUT) != 0:
        raise SystemExit(f"the resumed run failed with exit code {final.returncode}")
    records, torn = _lines(out / EXTRACTIONS)
    counts = collections.Counter(str(r["article_id"]) for r in records)
    claims = sum(len(r["claims"]) for r in records)  # type: ignore[arg-type]
    rows = pq.read_table(out / "claims.parquet").num_rows
    return {
        "lost": sum(1 for a in wanted if a.id not in counts),
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "torn": torn,
        "parquet_mismatch": int(rows != claims),
        "stops_mid_job": mid_job,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    totals: collections.Counter[str] = collections.Counter()
    started = time.monotonic()
    for number in range(1, args.trials + 1):
        sigterm = number % 5 == 0
        with tempfile.TemporaryDirectory() as tmp:
            result = trial(rng, args.articles, Path(tmp), sigterm=sigterm)
        totals.update(result)
        kind = "SIGTERM" if sigterm else "SIGKILL"
        print(f"trial {number:2d} ({kind}): " + ", ".join(f"{k} {v}" for k, v in result.items()))
    print(
        f"{args.trials} trials, {args.articles} articles each, {time.monotonic() - started:.0f} s: "
        + ", ".join(f"{k} {totals[k]}" for k in ("stops_mid_job", "lost", "duplicated", "torn"))
        + f", parquet mismatches {totals['parquet_mismatch']}"
    )


if __name__ == "__main__":
    main()
