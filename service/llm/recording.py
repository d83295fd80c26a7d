"""Recording a run's LLM traffic, and replaying it with no model and no network.

A recording is a directory holding ``cassette.yaml`` and ``manifest.json`` (what produced
it; written by :mod:`claimstance.pipeline.tape`). The cassette is in vcrpy's format
(``version: 1`` and a list of ``interactions``, each a request and its response), so
vcrpy itself, and any tool that reads its cassettes, can replay or inspect it; the
project's own regression cassettes in ``cassettes/`` are the same thing. Requests are
matched strictly on method, URL path and body (as canonical JSON, so key order and
whitespace do not matter); the host is not part of the match, so a recording made
against the embedded model's random port, or a provider's host, replays anywhere.
Nothing secret is written: no request header is recorded (the API key travels in one),
URL credentials and query strings are dropped, and bodies go through
:func:`claimstance.errors.redact`.

Recording is an httpx response hook, so it works on any client (the batch engine's
sharded pool included), appending one interaction per exchange; replay is an httpx
transport that answers from the cassette, and answers a request it has no recording of
with HTTP 404 and where it differs from the nearest recorded request, which the pipeline
reports as that article's ``provider`` error.
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
import yaml

from claimstance.errors import ConfigError, redact

CASSETTE = "cassette.yaml"
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
        path = directory / CASSETTE
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fresh = not path.exists() or path.stat().st_size == 0
            self._stream = path.open("a", encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"cannot write the recording in {directory}: {e}") from e
        if fresh:
            self._stream.write("version: 1\ninteractions:\n")
        self._lock = threading.Lock()
        self.count = 0

    def attach(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        client.event_hooks["response"] = [*client.event_hooks["response"], self._on_response]
        return client

    async def _on_response(self, response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        url = urlsplit(str(request.url))
        host = url.netloc.rpartition("@")[2]  # never the credentials of a URL
        interaction = {
            "request": {
                "method": request.method,
                "uri": f"{url.scheme}://{host}{url.path}",
                "body": redact(request.content.decode("utf-8", "replace")) or None,
                "headers": {},
            },
            "response": {
                "status": {"code": response.status_code, "message": response.reason_phrase},
                "headers": {"content-type": [response.headers.get("content-type", "")]},
                "body": {"string": redact(response.content.decode("utf-8", "replace"))},
            },
        }
        block = yaml.safe_dump([interaction], allow_unicode=True, sort_keys=False, width=10**6)
        with self._lock:
            self._stream.write(block)
            self._stream.flush()
            self.count += 1

    def close(self) -> None:
        with self._lock:
            self._stream.close()


def cassette_path(location: Path) -> Path:
    """The cassette of a recording: a directory's ``cassette.yaml``, or a cassette file."""
    return location if location.suffix in (".yaml", ".yml") else location / CASSETTE


def read_cassette(location: Path) -> list[dict[str, Any]]:
    path = cassette_path(location)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"no recording at {location} ({e.strerror or e})") from e
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not a cassette: {e}") from e
    interactions = data.get("interactions") if isinstance(data, dict) else None
    if not isinstance(interactions, list):
        raise ConfigError(f"{path} is not a cassette (no interactions)")
    return interactions


class Replayer(httpx.AsyncBaseTransport):
    """An httpx transport answering from a recording; a request not in it gets 404."""

    def __init__(self, location: Path) -> None:
        self._answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._by_path: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for number, interaction in enumerate(read_cassette(location), start=1):
            try:
                request, response = interaction["request"], interaction["response"]
                method, path = str(request["method"]).upper(), urlsplit(request["uri"]).path
                body = _json_or_text((request.get("body") or "").encode("utf-8"))
                answer = {
                    "status": int(response["status"]["code"]),
                    "content_type": _first(response.get("headers"), "content-type"),
                    "body": (response.get("body") or {}).get("string") or "",
                }
            except (KeyError, TypeError, ValueError) as e:
                raise ConfigError(f"{location}: interaction {number} is malformed ({e})") from e
            self._answers[request_key(method, path, body)].append(answer)
            self._by_path[(method, path)].append(body)
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
        content = record["body"]
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        headers = {"content-type": record["content_type"] or "application/json"}
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


def _first(headers: Any, name: str) -> str | None:
    """A header of a vcrpy cassette (a list of values, under any letter case)."""
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return None


def replay_client_factory(location: Path) -> ReplayClientFactory:
    transport = Replayer(location)  # read once, shared by every client of the run
    return lambda: httpx.AsyncClient(transport=transport)
