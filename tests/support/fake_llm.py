"""An in-process OpenAI-compatible endpoint for unit tests (no network, no sockets)."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.completions import article_text, completion, label_completion

BASE_URL = "http://fake-llm.test/v1"
Answer = Callable[[dict[str, Any]], "dict[str, Any] | httpx.Response"]


@dataclass
class FakeLLM:
    """Answers chat completions with ``answer(request_body)``; records every request."""

    answer: Answer
    requests: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        result = self.answer(body)
        if isinstance(result, httpx.Response):
            return result
        if body.get("logprobs"):  # a one-token classification: {"probabilities": ... | None}
            return httpx.Response(200, json=label_completion(result.get("probabilities"), body))
        return httpx.Response(200, json=completion(result, body))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())


def article_in(request: dict[str, Any]) -> str:
    """The article text (or chunk) inside the user message of a request."""
    return article_text(request)


def claim(quote: str, speaker: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "quote": quote,
        "kind": "direct",
        "speaker": speaker,
        "claim": f"{speaker} said something.",
        "stances": [],
    }
    base.update(extra)
    return base


@contextlib.contextmanager
def loopback(fake: FakeLLM) -> Iterator[str]:
    """Serve ``fake`` over HTTP on 127.0.0.1 (for code in other processes); yield its base URL.

    Each request runs in its own thread, so an answer may block (e.g. until a test has
    killed the process that sent it).
    """

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            request = httpx.Request("POST", f"http://fake-llm.test{self.path}", content=body)
            response = fake(request)
            payload = response.read()
            self.send_response(response.status_code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # the listen backlog: many clients connect at once

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
