"""Write the four tables as CSV and Parquet, each file complete or not there at all."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimstance.analysis.frames import COLUMNS, TABLES

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("csv", "parquet")


def arrow_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """One table as Arrow, typed from ``COLUMNS`` (an empty table keeps its columns)."""
    import pyarrow as pa  # 0.15 s to import: only when tables are made

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
    schema = pa.schema([(c.name, types[c.type]) for c in COLUMNS[name]])
    return pa.Table.from_pylist(rows, schema=schema)


def write_tables(tables: dict[str, list[dict[str, Any]]], out_dir: Path) -> list[tuple[Path, int]]:
    """Write ``DIR/<table>.csv`` and ``DIR/<table>.parquet`` for the four tables; return each
    file with its row count. Each file is written beside itself and renamed into place."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int]] = []
    for name in TABLES:
        table = arrow_table(name, tables[name])
        for fmt in FORMATS:
            final = out_dir / f"{name}.{fmt}"
            temp = out_dir / f".{name}.{fmt}.tmp"
            if fmt == "csv":
                pacsv.write_csv(table, str(temp))
            else:
                pq.write_table(table, str(temp), compression="zstd")
            with open(temp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(temp, final)
            written.append((final, table.num_rows))
    return written
