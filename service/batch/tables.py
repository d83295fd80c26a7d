"""Flat claim tables (one row per claim) as Parquet and CSV, rebuilt from extractions.jsonl.

The tables are derived data: they are rebuilt by streaming ``extractions.jsonl`` in
batches through one ``ParquetWriter`` and one CSV writer, into temporary files that are
renamed over the old ones. Memory stays flat in the number of articles, a crash never
leaves a half-written table behind, and the tables always agree with the JSONL.

Columns: ``article_id, title, source, url, published, claim_id, kind, speaker, speaker_id,
speaker_role, speaker_affiliation, speaker_kind, mention, mention_start, mention_end, cue,
cue_start, cue_end, quote, quote_start, quote_end, claim, topics`` and then, with stance
targets, ``stance[T]`` and ``confidence[T]`` per target T, or without targets
``stance_target``, ``stance`` and ``confidence`` (the most salient target the claim names;
the JSONL has every stance).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimstance.batch.manifest import iter_jsonl

if TYPE_CHECKING:
    import pyarrow as pa

PARQUET = "claims.parquet"
CSV = "claims.csv"
BATCH_ROWS = 4096

_TEXT = (
    "article_id",
    "title",
    "source",
    "url",
    "published",
    "claim_id",
    "kind",
    "speaker",
    "speaker_id",
    "speaker_role",
    "speaker_affiliation",
    "speaker_kind",
    "mention",
)


def stance_columns(targets: Sequence[str]) -> list[tuple[str, str]]:
    """(name, type) of the stance columns: per target, or the claim's own target."""
    if not targets:
        return [("stance_target", "str"), ("stance", "str"), ("confidence", "float")]
    columns: list[tuple[str, str]] = []
    for target in targets:
        columns += [(f"stance[{target}]", "str"), (f"confidence[{target}]", "float")]
    return columns


def columns(targets: Sequence[str]) -> list[tuple[str, str]]:
    fixed: list[tuple[str, str]] = [(name, "str") for name in _TEXT]
    fixed += [("mention_start", "int"), ("mention_end", "int")]
    fixed += [("cue", "str"), ("cue_start", "int"), ("cue_end", "int")]
    fixed += [("quote", "str"), ("quote_start", "int"), ("quote_end", "int")]
    fixed += [("claim", "str"), ("topics", "str")]
    return fixed + stance_columns(targets)


def schema(targets: Sequence[str]) -> pa.Schema:
    import pyarrow as pa  # 0.15 s to import: only when tables are written

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
    return pa.schema([(name, types[kind]) for name, kind in columns(targets)])


def claim_rows(extraction: dict[str, Any], targets: Sequence[str]) -> Iterator[dict[str, Any]]:
    """One flat row per claim of an Extraction (as parsed JSON)."""
    article_id = extraction.get("article_id")
    for claim in extraction.get("claims") or []:
        speaker = claim.get("speaker") or {}
        row: dict[str, Any] = {
            "article_id": article_id,
            "title": extraction.get("title"),
            "source": extraction.get("source"),
            "url": extraction.get("url"),
            "published": extraction.get("published"),
            "claim_id": claim.get("id"),
            "kind": claim.get("kind"),
            "speaker": speaker.get("name"),
            "speaker_id": speaker.get("id"),
            "speaker_role": speaker.get("role"),
            "speaker_affiliation": speaker.get("affiliation"),
            "speaker_kind": speaker.get("kind"),
            "claim": claim.get("claim"),
            "topics": "; ".join(claim.get("topics") or []) or None,
        }
        for name, span in (
            ("mention", speaker.get("mention")),
            ("cue", claim.get("cue")),
            ("quote", claim.get("quote")),
        ):
            span = span or {}
            row[name] = span.get("text")
            row[f"{name}_start"] = span.get("start")
            row[f"{name}_end"] = span.get("end")
        stances = claim.get("stances") or []
        if targets:
            by_target = {s.get("target"): s for s in stances}
            for target in targets:
                stance = by_target.get(target) or {}
                row[f"stance[{target}]"] = stance.get("label")
                row[f"confidence[{target}]"] = stance.get("confidence")
        else:
            first = stances[0] if stances else {}
            row["stance_target"] = first.get("target")
            row["stance"] = first.get("label")
            row["confidence"] = first.get("confidence")
        yield row


def _batches(
    records: Iterable[dict[str, Any]], targets: Sequence[str]
) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.extend(claim_rows(record, targets))
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def write_tables(records: Iterable[dict[str, Any]], out_dir: Path, targets: Sequence[str]) -> int:
    """Write ``claims.parquet`` and ``claims.csv`` from Extraction records; return rows."""
    import pyarrow as pa  # 0.15 s to import: only when tables are written
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table_schema = schema(targets)
    parquet_tmp = out_dir / (PARQUET + ".tmp")
    csv_tmp = out_dir / (CSV + ".tmp")
    rows = 0
    with (
        pq.ParquetWriter(str(parquet_tmp), table_schema, compression="zstd") as parquet,
        pacsv.CSVWriter(str(csv_tmp), table_schema) as csv,
    ):
        for batch in _batches(records, targets):
            table = pa.Table.from_pylist(batch, schema=table_schema)
            parquet.write_table(table)
            csv.write_table(table)
            rows += table.num_rows
    for temp, final in ((parquet_tmp, PARQUET), (csv_tmp, CSV)):
        with open(temp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(temp, out_dir / final)
    return rows


def rebuild_tables(out_dir: Path, targets: Sequence[str]) -> int:
    """Rebuild both tables from ``DIR/extractions.jsonl``; return the number of claim rows."""
    return write_tables(iter_jsonl(out_dir / "extractions.jsonl"), out_dir, targets)
