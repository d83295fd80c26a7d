"""Shared pieces of the benchmarks: the stub server process, inputs, machine facts."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PYTHON = sys.executable
CLI = str(ROOT / ".venv" / "bin" / "claimstance")


def batch_command(source: Path, out: Path, base_url: str, *cache: str) -> list[str]:
    """``claimstance batch`` at concurrency 64 against the stub; ``cache`` options appended."""
    return [
        CLI, "batch", str(source), "--out", str(out), "--base-url", base_url,
        "--concurrency", "64", "--quiet", *cache,
    ]  # fmt: skip


@contextlib.contextmanager
def stub_server(latency: float, *, max_seconds: float = 900) -> Iterator[str]:
    """Run benchmarks/stub_server.py on loopback; yield its base URL; stop it after."""
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "benchmarks.stub_server",  # from ROOT: the stub imports tests.support.completions
            "--latency",
            str(latency),
            "--max-seconds",
            str(max_seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError("stub server did not start")
        yield f"http://127.0.0.1:{line[1]}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def short_seeds() -> list[str]:
    """Seed texts that fit one chunk, so that one article is one request."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return [t for t in texts if len(t) < 5500]


def write_articles(path: Path, count: int) -> Path:
    seeds = short_seeds()
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            text = f"Story number {i}\n{seeds[i % len(seeds)]}"
            f.write(json.dumps({"id": f"a{i:06d}", "text": text}, ensure_ascii=False) + "\n")
    return path


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} vCPU {cpu}{mem}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average {load:.1f} at start"
    )


def env(**extra: str) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CLAIMSTANCE_"))}
    values.update(extra)
    return values
