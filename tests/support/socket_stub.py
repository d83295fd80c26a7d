"""A real HTTP/1.1 endpoint on 127.0.0.1 for the faults an in-process mock cannot make.

respx and httpx.MockTransport hand the client a whole response object, so they cannot send
a body one byte at a time or close the connection half-way through one. This stub is a
threaded socket server on an ephemeral loopback port: each ``POST`` body is decoded and
passed to ``respond``, whose :class:`Reply` says what goes back on the wire (a whole
response, its body dripped a byte at a time, or its headers and part of its body before
the socket is closed). ``requests`` holds every request body the stub read in full, which
is what a client's call count must equal, and ``received`` when each was read
(``time.monotonic``).

    with SocketStub(respond) as stub:
        ... --base-url stub.base_url ...
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    """What the stub sends for one request."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    #: Seconds between the body's bytes (None: the body at once).
    drip: float | None = None
    #: Close the socket after this many bytes of the body (Content-Length says all of it).
    cut_after: int | None = None

    @classmethod
    def json(cls, payload: Any, **kwargs: Any) -> Reply:
        return cls(json.dumps(payload, ensure_ascii=False).encode(), **kwargs)


Respond = Callable[[dict[str, Any]], Reply]


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, stub: SocketStub) -> None:
        super().__init__((HOST, 0), _Handler)
        self.stub = stub


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.stub._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.stub._closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        stub = self.server.stub
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        request = json.loads(raw) if raw else {}
        reply = stub.respond(request)
        with stub._lock:
            stub.requests.append(request)
            stub.received.append(time.monotonic())
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        try:
            if reply.cut_after is not None:
                self.wfile.write(reply.body[: reply.cut_after])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif reply.drip is not None:
                for k in range(len(reply.body)):
                    if stub._stop.is_set():
                        break
                    self.wfile.write(reply.body[k : k + 1])
                    self.wfile.flush()
                    time.sleep(reply.drip)
                self.close_connection = stub._stop.is_set()
            else:
                self.wfile.write(reply.body)
        except OSError:  # the client gave up (its deadline) and closed the connection
            self.close_connection = True


class SocketStub:
    """A loopback HTTP/1.1 server answering each POST with ``respond(body)``'s Reply."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        self.received: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def __enter__(self) -> SocketStub:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # unblock handlers waiting on idle keep-alive reads
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join(timeout=5)
