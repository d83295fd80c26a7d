"""Seconds per seed article with the embedded default and one target, per stance method.

    .venv/bin/python -m benchmarks.bench_seeds [--repeat 2]

Runs ``Extractor.extract`` on the five seed articles toward "US–China cooperation" with the
response cache off, one article after another (as ``claimstance extract`` does), for each
stance method: ``lexicon`` (no model call), ``combined`` (the default: one one-token call
per claim with a sentiment word) and ``model`` (one chat call per claim, the model alone).
The embedded server is started once, before timing; the best of ``--repeat`` is kept.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.common import SEEDS, machine
from claimstance.config import Settings
from claimstance.inputs import read_articles
from claimstance.local_model.server import shared_server
from claimstance.pipeline.extractor import Extractor

TARGET = "US–China cooperation"


def seconds_per_article(settings: Settings) -> tuple[float, int, int]:
    articles = [a for a in read_articles([str(SEEDS)]) if not isinstance(a, Exception)]
    with Extractor(settings) as extractor:
        started = time.perf_counter()
        extractions = [extractor.extract(a, targets=[TARGET]) for a in articles]
        elapsed = time.perf_counter() - started
    calls = sum(e.usage.calls for e in extractions)
    claims = sum(len(e.claims) for e in extractions)
    return elapsed / len(articles), calls, claims


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings.from_env({}, cache_enabled=False, cache_dir=Path(tmp) / "cache")
        server = shared_server(base)
        print(f"embedded server up in {server.startup_seconds:.1f}s")
        for method in ("lexicon", "combined", "model"):
            settings = base.model_copy(update={"stance_method": method})
            runs = [seconds_per_article(settings) for _ in range(args.repeat)]
            best, calls, claims = min(runs)
            print(f"{method:9s} {best:.2f} s/article ({claims} claims, {calls} calls)", flush=True)


if __name__ == "__main__":
    main()
