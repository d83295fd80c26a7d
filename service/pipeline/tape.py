"""The manifest of a recording (``--record DIR``) and the checks of a replay (``--replay``).

``manifest.json`` says what produced the traffic next to it: the claimstance version,
model, endpoint family, strategy and prompt versions, schema version, every setting that
shapes a request, the stance targets, how many exchanges were recorded, and a checksum of
the outputs (the Extractions as written, one JSON line each, in article-id order). A
replay compares its own manifest with the recorded one: a difference in what shapes
requests is named up front (the requests will then miss), and at the end the outputs'
checksum says whether the replay reproduced the recorded run byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from claimstance.errors import ConfigError
from claimstance.llm.recording import MANIFEST
from claimstance.pipeline.extractor import Extractor
from claimstance.schemas.models import SCHEMA_VERSION

#: Settings that change what is sent; a replay with other values misses the recording.
REQUEST_SHAPING = (
    "strategy",
    "llm_mode",
    "temperature",
    "max_tokens",
    "max_reasks",
    "chunk_chars",
    "chunk_overlap",
    "stance_method",
    "n_ctx",
)


def describe_run(extractor: Extractor, targets: Sequence[str]) -> dict[str, Any]:
    from claimstance import __version__  # the package root imports this layer

    settings = extractor.settings
    shaping = {name: getattr(settings, name) for name in REQUEST_SHAPING}
    shaping["strategy"] = extractor.strategy
    shaping["stance_method"] = settings.resolved_stance_method
    return {
        "claimstance": __version__,
        "model": settings.resolved_model,
        "endpoint": settings.endpoint_family,
        "prompt_version": extractor.prompt_version(),
        "schema_version": SCHEMA_VERSION,
        "settings": shaping,
        "targets": list(targets),
    }


def outputs_checksum(lines: Iterable[str]) -> str:
    """SHA-256 of the output lines sorted by article id (batch writes in completion order)."""
    records = sorted(
        (json.loads(line)["article_id"], line.rstrip("\n")) for line in lines if line.strip()
    )
    digest = hashlib.sha256()
    for _, line in records:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def write_manifest(
    directory: Path, run: dict[str, Any], *, requests: int, checksum: str, articles: int
) -> Path:
    manifest = {
        **run,
        "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
        "requests": requests,
        "articles": articles,
        "outputs_sha256": checksum,
    }
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as e:
        raise ConfigError(f"{path} is not JSON: {e}") from e
    return data if isinstance(data, dict) else {}


def manifest_differences(recorded: dict[str, Any], run: dict[str, Any]) -> list[str]:
    """What this replay does differently from the recorded run, one note per item."""
    notes = []
    for key in ("model", "prompt_version", "schema_version", "targets"):
        if key in recorded and recorded[key] != run.get(key):
            notes.append(f"{key}: recorded {recorded[key]!r}, now {run.get(key)!r}")
    for key, value in (recorded.get("settings") or {}).items():
        if run["settings"].get(key) != value:
            notes.append(f"{key}: recorded {value!r}, now {run['settings'].get(key)!r}")
    return notes
