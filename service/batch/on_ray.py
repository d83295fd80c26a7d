"""Scale-out on Ray Data (optional extra ``claimstance[ray]``; ray is imported lazily).

read articles -> ``map_batches`` over a pool of actors, each holding its own Extractor
(its own HTTP client, event loop and response cache) -> ``DIR/extractions/`` Parquet (one
row per article: the Extraction as JSON, or the typed error) -> ``DIR/claims/`` Parquet
(the flat claim rows of :mod:`claimstance.batch.tables`).

Inputs are the same kinds as everywhere: ``.txt``/``.md`` files (one article each, id =
file stem) and ``.jsonl`` files (one article object per line), or directories of them,
read by Ray's file readers so that a cluster reads them from shared storage. A bad input
becomes an error row, not a failed job. Each run overwrites the output datasets; the
response cache is what makes a re-run after a failure cheap.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from claimstance.batch.tables import claim_rows, columns
from claimstance.config import Settings
from claimstance.errors import ClaimstanceError, ConfigError, InputError
from claimstance.inputs import (
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    article_from_record,
    article_from_text,
    decode_text,
    input_files,
)
from claimstance.pipeline.extractor import Extractor

ClientFactory = Callable[[], httpx.AsyncClient]
RESULT_COLUMNS = (
    "article_id",
    "source",
    "extraction",
    "error",
    "prompt_tokens",
    "completion_tokens",
    "calls",
    "cache_hit",
)


def _files(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(text files, jsonl files) named by ``paths`` (directories: their own files)."""
    texts: list[str] = []
    jsonl: list[str] = []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise ConfigError(f"{raw}: no such file or directory")
        for path in input_files(root):
            if not path.is_file() or path.name.startswith("."):
                continue
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                jsonl.append(str(path.resolve()))
            elif suffix in TEXT_SUFFIXES or not root.is_dir():
                texts.append(str(path.resolve()))
    return texts, jsonl


class ExtractActor:
    """One actor of the pool: an Extractor and an event loop of its own."""

    def __init__(
        self,
        settings: Settings,
        targets: list[str],
        client_factory: ClientFactory | None = None,
    ) -> None:
        self.targets = targets
        self.extractor = Extractor(settings, http_client_factory=client_factory)
        self.loop = asyncio.new_event_loop()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows = list(zip(batch["source"], batch["kind"], batch["data"], strict=True))
        results = self.loop.run_until_complete(self._all(rows))
        return {name: [r[name] for r in results] for name in RESULT_COLUMNS}

    async def _all(self, rows: list[tuple[Any, Any, Any]]) -> list[dict[str, Any]]:
        return await asyncio.gather(*(self._one(str(s), str(k), bytes(d)) for s, k, d in rows))

    async def _one(self, source: str, kind: str, data: bytes) -> dict[str, Any]:
        row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS)
        row.update(source=source, prompt_tokens=0, completion_tokens=0, calls=0, cache_hit=False)
        try:
            if kind == "json":
                article = article_from_record(
                    json.loads(decode_text(data, source=source)), source=source
                )
            else:
                article = article_from_text(
                    decode_text(data, source=source), article_id=Path(source).stem, source=source
                )
            row["article_id"] = article.id
            extraction = await self.extractor.aextract(article, targets=self.targets)
        except ValueError as e:
            row["error"] = json.dumps(InputError(f"invalid JSON: {e}", source=source).to_dict())
            return row
        except ClaimstanceError as e:
            row["error"] = json.dumps(e.to_dict(), ensure_ascii=False)
            return row
        usage = extraction.usage
        row.update(
            extraction=extraction.model_dump_json(),
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            calls=usage.calls,
            cache_hit=usage.cache_hit,
        )
        return row

    def __del__(self) -> None:
        try:
            self.loop.run_until_complete(self.extractor.aclose())
            self.extractor.close()
            self.loop.close()
        except Exception:  # pragma: no cover - best effort at actor shutdown
            pass


def _flatten(targets: list[str]) -> Callable[[dict[str, Any]], dict[str, list[Any]]]:
    names = [name for name, _ in columns(targets)]

    def flatten(batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {name: [] for name in names}
        for raw in batch["extraction"]:
            if raw is None:
                continue
            for row in claim_rows(json.loads(raw), targets):
                for name in names:
                    out[name].append(row.get(name))
        return out

    return flatten


def run_ray(
    paths: Sequence[str],
    out_dir: Path,
    settings: Settings,
    *,
    targets: Sequence[str] = (),
    actors: int = 2,
    batch_size: int = 16,
    actor_cpus: float = 0.25,
    address: str | None = None,
    client_factory: ClientFactory | None = None,
) -> int:
    """Run the Ray Data pipeline; return the number of articles written (incl. errors)."""
    try:
        import ray  # the optional extra claimstance[ray]
        import ray.data
        from ray.data import ActorPoolStrategy
        from ray.data._internal.savemode import SaveMode
    except ImportError as e:
        raise ConfigError("--ray needs Ray Data: pip install 'claimstance[ray]'") from e
    if settings.embedded:
        raise ConfigError(
            "--ray needs an endpoint (--base-url or OPENAI_API_KEY), not the embedded model"
        )
    wanted = [t.strip() for t in targets if t.strip()]
    texts, jsonl = _files(paths)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    parts = []
    if texts:
        parts.append(
            ray.data.read_binary_files(texts, include_paths=True).map(
                lambda r: {"source": r["path"], "kind": "text", "data": r["bytes"]}
            )
        )
    if jsonl:
        parts.append(
            ray.data.read_text(jsonl, include_paths=True).map(
                lambda r: {"source": r["path"], "kind": "json", "data": r["text"].encode()}
            )
        )
    if not parts:
        raise ConfigError("no .txt, .md or .jsonl input files")
    articles = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    results = articles.map_batches(
        ExtractActor,
        fn_constructor_kwargs={
            "settings": settings,
            "targets": wanted,
            "client_factory": client_factory,
        },
        batch_size=batch_size,
        compute=ActorPoolStrategy(size=actors),
        batch_format="numpy",
        num_cpus=actor_cpus,  # the work is waiting on HTTP: leave CPUs to readers/writers
    )
    extractions_dir = out_dir / "extractions"
    claims_dir = out_dir / "claims"
    out_dir.mkdir(parents=True, exist_ok=True)
    results.write_parquet(str(extractions_dir), mode=SaveMode.OVERWRITE)
    written = ray.data.read_parquet(str(extractions_dir))
    count = int(written.count())
    written.map_batches(_flatten(wanted), batch_format="numpy").write_parquet(
        str(claims_dir), mode=SaveMode.OVERWRITE
    )
    return count
