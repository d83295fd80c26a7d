"""Ray Data scale-out on a local 2-CPU Ray instance, replaying recorded LLM traffic.

Needs the ``claimstance[ray]`` extra; skipped (with the reason) when ray is not installed,
which is the default setup. Takes about a minute: Ray starts its own processes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from claimstance.batch.on_ray import run_ray
from claimstance.config import Settings
from tests.support.batch_fakes import TARGET
from tests.support.paths import ROOT, SEEDS
from tests.support.replay import ReplayFactory

ray = pytest.importorskip("ray", reason="needs the ray extra: pip install -e '.[ray]'")
pytestmark = [
    pytest.mark.ray,
    # Ray's own code warns about its own deprecated settings; not ours to fix.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def test_ray_pipeline_over_the_seeds(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
    )
    try:
        settings = make_settings(cache_enabled=False)
        out = tmp_path / "ray"
        count = run_ray(
            [str(SEEDS)], out, settings, targets=[TARGET], actors=2, client_factory=ReplayFactory()
        )
    finally:
        ray.shutdown()
    assert count == 5
    rows = pq.read_table(out / "extractions").to_pylist()
    assert all(r["error"] is None for r in rows), [r["error"] for r in rows]
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    assert sorted(r["article_id"] for r in rows) == sorted(texts)
    claims = 0
    for row in rows:
        extraction = json.loads(row["extraction"])
        claims += len(extraction["claims"])
        for claim in extraction["claims"]:
            quote = claim["quote"]
            assert texts[row["article_id"]][quote["start"] : quote["end"]] == quote["text"]
    table = pq.read_table(out / "claims")
    assert table.num_rows == claims > 0
    assert set(table.column(f"stance[{TARGET}]").to_pylist()) == {"neutral"}
