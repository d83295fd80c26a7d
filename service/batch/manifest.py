"""A batch job's durable state in its output directory, safe against ``kill -9``.

The output files are the state; there is no separate manifest that could disagree:

* ``extractions.jsonl`` is append-only, one ``Extraction`` per line, and each batch of
  lines reaches the file through one ``os.write`` loop ending in ``\\n`` (then fsync). A
  process killed mid-write leaves at most one torn line at the end, without its
  newline; :func:`recover_jsonl` cuts it off on the next start. The ids of the complete
  lines are the *done* set, and the engine never dispatches an id that is done or was
  already dispatched in this run, so every article is in the file at most once.
* ``errors.jsonl`` holds failures the same way; the latest record per key wins, and an
  article that is done is no longer failed (``--retry-failed`` can succeed later).
* ``job.json`` records the parameters the job was started with; resuming with other
  parameters is refused unless forced.
* ``.lock`` is held (``flock``) by the one process writing to the directory; the kernel
  releases it when that process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from claimstance.errors import ConfigError, JobLocked

EXTRACTIONS = "extractions.jsonl"
ERRORS = "errors.jsonl"
JOB = "job.json"
SUMMARY = "summary.json"
LOCK = ".lock"
JOB_FORMAT = 1
#: Parameters that change what an extraction is; a resumed job must match them.
IDENTITY_KEYS = ("strategy", "model", "endpoint", "targets", "prompt_version", "schema_version")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def recover_jsonl(path: Path) -> int:
    """Cut a torn last line (no trailing newline) off ``path``; return the bytes removed."""
    if not path.exists():
        return 0
    with path.open("r+b") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return 0
        # Walk back to the last newline in blocks.
        pos, keep = size, 0
        while pos > 0:
            step = min(65536, pos)
            pos -= step
            f.seek(pos)
            block = f.read(step)
            index = block.rfind(b"\n")
            if index != -1:
                keep = pos + index + 1
                break
        f.truncate(keep)
        f.flush()
        os.fsync(f.fileno())
        return size - keep


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Complete, parseable JSON object lines of ``path`` (a torn tail is skipped)."""
    if not path.exists():
        return
    with path.open("rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                return
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    yield record


class AppendLog:
    """An append-only JSONL file; ``append`` writes whole lines and makes them durable."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self._fsync = fsync
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, lines: list[str]) -> None:
        """Write ``lines`` (each without a newline) in as few syscalls as possible."""
        if not lines:
            return
        data = memoryview(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        if self._fsync:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def error_key(record: dict[str, Any]) -> str:
    article_id = record.get("article_id")
    return f"article:{article_id}" if article_id else f"input:{record.get('source')}"


@dataclass
class JobState:
    """What is already in the output directory when a run starts."""

    done: set[str] = field(default_factory=set)
    #: Latest failure record per key (``article:<id>`` or ``input:<source>``), not done.
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Done articles that made requests (not answered from the cache).
    paid: int = 0

    def skips(self, article_id: str, retry_failed: bool) -> bool:
        """Whether a run leaves this article alone: it is done, or (normally) it failed
        before; ``--retry-failed`` runs only the failed ones."""
        failed = error_key({"article_id": article_id}) in self.failed
        return article_id in self.done or (failed if not retry_failed else not failed)


def load_state(out_dir: Path) -> JobState:
    """Recover torn tails, then read the done set and the current failures."""
    state = JobState()
    extractions, errors = out_dir / EXTRACTIONS, out_dir / ERRORS
    recover_jsonl(extractions)
    recover_jsonl(errors)
    for record in iter_jsonl(extractions):
        article_id = record.get("article_id")
        if isinstance(article_id, str):
            state.done.add(article_id)
            usage = record.get("usage") or {}
            state.prompt_tokens += int(usage.get("prompt_tokens", 0))
            state.completion_tokens += int(usage.get("completion_tokens", 0))
            state.paid += int(usage.get("calls", 0)) > 0
    for record in iter_jsonl(errors):
        key = error_key(record)
        usage = record.get("usage") or {}
        state.prompt_tokens += int(usage.get("prompt_tokens", 0))
        state.completion_tokens += int(usage.get("completion_tokens", 0))
        if record.get("article_id") not in state.done:
            state.failed[key] = record
    return state


def rewrite_errors(out_dir: Path, records: list[dict[str, Any]]) -> None:
    """Replace ``errors.jsonl`` atomically (temp file, fsync, rename)."""
    path = out_dir / ERRORS
    temp = path.with_name(path.name + ".tmp")
    with temp.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    _fsync_dir(out_dir)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    temp = path.with_name(path.name + ".tmp")
    with temp.open("w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_job(out_dir: Path, params: dict[str, Any], *, force: bool) -> dict[str, Any]:
    """Create ``job.json``, or check a resumed job's parameters against it."""
    path = out_dir / JOB
    record: dict[str, Any] = {"format": JOB_FORMAT, **params, "created": now()}
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(f"{path} is unreadable ({e}); remove it or use another --out") from e
        differs = {
            key: (existing.get(key), params.get(key))
            for key in IDENTITY_KEYS
            if existing.get(key) != params.get(key)
        }
        if not differs:
            return dict(existing)
        if not force:
            detail = "; ".join(
                f"{k}: job has {old!r}, this run {new!r}" for k, (old, new) in differs.items()
            )
            raise ConfigError(
                f"{out_dir} holds a job started with other parameters ({detail}). "
                "Use another --out, or --force to continue it with the new parameters "
                "(articles already done keep their old extraction)"
            )
        history = [*existing.get("history", []), {k: existing.get(k) for k in IDENTITY_KEYS}]
        record = {**record, "created": existing.get("created", record["created"])}
        record["history"] = history
        record["forced"] = now()
    write_json_atomic(path, record)
    return record


class DirectoryLock:
    """An exclusive ``flock`` on ``DIR/.lock``; a second writer is refused, not queued."""

    def __init__(self, out_dir: Path) -> None:
        self._path = out_dir / LOCK
        self._fd = -1

    def __enter__(self) -> DirectoryLock:
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(self._fd)
            self._fd = -1
            raise JobLocked(f"another claimstance process is writing to {self._path.parent}") from e
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1
