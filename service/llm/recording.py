"""Recording a run's LLM traffic, and replaying it with no model and no network.

A recording is a directory: ``traffic.jsonl`` holds one exchange per line
(``{"method", "path", "body", "status", "content_type", "response"}``: the request's
method, URL path and JSON body, the answer's status, type and body) and
``manifest.json`` says what produced it (written by the caller, see
:mod:`claimstance.batch.recording`). Requests are matched strictly on method, URL path and
body (as canonical JSON, so key order and whitespace do not matter); the host is not
part of the match, so a recording made against the embedded model's random port, or a
provider's host, replays anywhere. Nothing secret is written: request headers (the API
key) are not recorded at all, URL credentials and query strings are dropped, and bodies
go through :func:`claimstance.errors.redact`.

Recording is an httpx response hook, so it works on any client (the batch engine's
sharded pool included); replay is an httpx transport that answers from the file and
answers a request it has no recording of with HTTP 404 and a message saying what
differs from the nearest recorded request, which the pipeline reports as that article's
``provider`` error.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from claimstance.errors import ConfigError, redact

TRAFFIC = "traffic.jsonl"
MANIFEST = "manifest.json"
#: The status a replay answers when it has no recording: not retried, named in the error.
MISSING = 404


def _canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def request_key(method: str, path: str, body: Any) -> str:
    blob = f"{method.upper()} {path}\n{_canonical(body)}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()


def _json_or_text(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


class Recorder:
    """Appends every exchange of the clients it is attached to (thread- and task-safe)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._stream = (directory / TRAFFIC).open("a", encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"cannot write the recording in {directory}: {e}") from e
        self._lock = threading.Lock()
        self.count = 0

    def attach(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        client.event_hooks["response"] = [*client.event_hooks["response"], self._on_response]
        return client

    async def _on_response(self, response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        record = {
            "method": request.method,
            "path": urlsplit(str(request.url)).path,
            "body": _json_or_text(request.content),
            "status": response.status_code,
            "content_type": response.headers.get("content-type", "application/json"),
            "response": _json_or_text(response.content),
        }
        line = redact(json.dumps(record, ensure_ascii=False)) + "\n"
        with self._lock:
            self._stream.write(line)
            self._stream.flush()
            self.count += 1

    def close(self) -> None:
        with self._lock:
            self._stream.close()


class Replayer(httpx.AsyncBaseTransport):
    """An httpx transport answering from a recording; a request not in it gets 404."""

    def __init__(self, directory: Path) -> None:
        path = directory / TRAFFIC
        if not path.is_file():
            raise ConfigError(f"no recording in {directory} (expected {TRAFFIC})")
        self._answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._by_path: dict[tuple[str, str], list[Any]] = defaultdict(list)
        with path.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    key = request_key(record["method"], record["path"], record["body"])
                except (ValueError, KeyError) as e:
                    raise ConfigError(f"{path}:{number}: not a recorded exchange ({e})") from e
                self._answers[key].append(record)
                self._by_path[(record["method"], record["path"])].append(record["body"])
        self._served: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self.misses: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = urlsplit(str(request.url)).path
        body = _json_or_text(await request.aread())
        key = request_key(request.method, path, body)
        with self._lock:
            answers = self._answers.get(key)
            if answers:
                served = self._served[key]
                self._served[key] = served + 1
                record = answers[min(served, len(answers) - 1)]  # repeats: the last again
            else:
                record = None
        if record is None:
            message = self._explain_miss(request.method, path, body)
            with self._lock:
                self.misses.append(message)
            return httpx.Response(MISSING, json={"error": {"message": message}}, request=request)
        content = record["response"]
        data = (
            content.encode("utf-8")
            if isinstance(content, str)
            else json.dumps(content, ensure_ascii=False).encode("utf-8")
        )
        headers = {"content-type": record.get("content_type") or "application/json"}
        return httpx.Response(record["status"], content=data, headers=headers, request=request)

    def _explain_miss(self, method: str, path: str, body: Any) -> str:
        known = self._by_path.get((method, path))
        head = f"no recording of {method} {path}"
        if not known:
            return f"{head} (the recording has no request to that path)"
        nearest = min(known, key=lambda other: len(_differences(other, body)))
        where = _differences(nearest, body)[:3]
        return f"{head}: the nearest recorded request differs at " + "; ".join(where)


def _differences(recorded: Any, sent: Any, where: str = "body") -> list[str]:
    """Where two JSON values differ, as short ``path: recorded → sent`` notes."""
    if isinstance(recorded, dict) and isinstance(sent, dict):
        notes: list[str] = []
        for key in sorted(set(recorded) | set(sent)):
            notes += _differences(recorded.get(key), sent.get(key), f"{where}.{key}")
        return notes
    if isinstance(recorded, list) and isinstance(sent, list) and len(recorded) == len(sent):
        notes = []
        for n, (a, b) in enumerate(zip(recorded, sent, strict=True)):
            notes += _differences(a, b, f"{where}[{n}]")
        return notes
    if recorded == sent:
        return []
    if isinstance(recorded, str) and isinstance(sent, str):
        at = next((n for n, (a, b) in enumerate(zip(recorded, sent, strict=False)) if a != b), None)
        at = min(len(recorded), len(sent)) if at is None else at
        start = max(0, at - 15)
        return [
            f"{where} (character {at}): recorded {_short(recorded[start : at + 45])}, "
            f"sent {_short(sent[start : at + 45])}"
        ]
    return [f"{where}: recorded {_short(recorded)}, sent {_short(sent)}"]


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Builds the replay client (the factory a RunContext uses in replay mode).
ReplayClientFactory = Callable[[], httpx.AsyncClient]


def replay_client_factory(directory: Path) -> ReplayClientFactory:
    transport = Replayer(directory)  # read once, shared by every client of the run
    return lambda: httpx.AsyncClient(transport=transport)
