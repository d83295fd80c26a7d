"""Tidy tables of extractions: speakers, claims, stances and mentions across a corpus.

>>> from claimstance.tables import read_extractions, to_pandas
>>> frames = to_pandas(read_extractions(["out/seeds.jsonl"]))  # doctest: +SKIP
>>> frames["stances"].groupby(["corpus_speaker_id", "target"]).label.value_counts()

The columns are documented in docs/architecture.md ("Cross-article analysis") and listed
in :data:`COLUMNS`; ``claimstance tables`` writes the same tables as CSV and Parquet.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from claimstance.analysis.frames import COLUMNS, TABLES, build_tables
from claimstance.analysis.read import read_extractions
from claimstance.analysis.speakers import SpeakerIndex, resolve_speakers
from claimstance.analysis.write import write_tables
from claimstance.errors import ConfigError
from claimstance.schemas.models import Extraction

if TYPE_CHECKING:
    import pandas as pd

_DTYPES = {"str": "object", "int": "Int64", "float": "float64"}


def to_pandas(
    extractions: Iterable[Extraction], index: SpeakerIndex | None = None
) -> dict[str, pd.DataFrame]:
    """The four tables as DataFrames: ``{"speakers", "claims", "stances", "mentions"}``.

    Offsets are nullable integers (``Int64``), confidence a float (NaN when unmeasured),
    everything else text (None when absent). Needs pandas: ``pip install
    'claimstance[analysis]'``; raises ConfigError without it."""
    try:
        # pandas is optional: only this function needs it, and the command writes with pyarrow.
        import pandas as pd
    except ImportError as e:
        raise ConfigError(
            "to_pandas needs pandas: pip install 'claimstance[analysis]' (or pandas>=2)"
        ) from e
    tables = build_tables(list(extractions), index)
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        columns = COLUMNS[name]
        frame = pd.DataFrame.from_records(tables[name], columns=[c.name for c in columns])
        frames[name] = frame.astype({c.name: _DTYPES[c.type] for c in columns})
    return frames


def write(extractions: Iterable[Extraction], out_dir: Path) -> list[tuple[Path, int]]:
    """Write the four tables as CSV and Parquet into ``out_dir``; each file with its rows."""
    return write_tables(build_tables(list(extractions)), Path(out_dir))


__all__ = [
    "COLUMNS",
    "TABLES",
    "SpeakerIndex",
    "build_tables",
    "read_extractions",
    "resolve_speakers",
    "to_pandas",
    "write",
]
