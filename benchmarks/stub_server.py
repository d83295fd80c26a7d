"""A fixed-latency OpenAI-compatible stub on 127.0.0.1 for benchmarks (run by hand).

``POST /v1/chat/completions`` waits ``--latency`` seconds, then answers with a valid
``ArticleDraft``: every curly-quoted passage of the article in the request becomes a
claim (verbatim, so it grounds), with one stance per target listed in the prompt. The
answer is a forced tool call when the request has ``tools``, else JSON content (built by
tests/support/completions.py, as the tests' fakes build theirs).

A bare asyncio HTTP/1.1 server with keep-alive: it costs little CPU per request, so on
a small machine the client, not the stub, is what a benchmark measures. It binds
loopback only and stops by itself after ``--max-seconds`` or ``--max-requests``.

Run it from the repository root (it imports tests.support.completions):

    python -m benchmarks.stub_server --latency 0.05 --port 0   # prints "READY <port>"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from typing import Any

from tests.support.completions import article_text, completion, quoted_claims, requested_targets

HOST = "127.0.0.1"


def answer(request: dict[str, Any]) -> dict[str, Any]:
    messages = request.get("messages") or []
    user = next((m["content"] for m in messages if m.get("role") == "user"), "")
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    claims = quoted_claims(article_text(request), requested_targets(request), limit=4)
    payload = {"claims": claims}
    prompt_tokens = (len(user) + len(system)) // 4
    completion_tokens = len(json.dumps(payload, ensure_ascii=False)) // 4
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    return completion(
        payload, request, completion_id="chatcmpl-stub", default_model="stub", usage=usage
    )


class Stub:
    def __init__(self, latency: float, max_requests: int) -> None:
        self.latency = latency
        self.max_requests = max_requests
        self.requests = 0
        self.done = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in header_lines:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                method, path, _ = request_line.split(" ", 2)
                status, payload = await self.route(method, path, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def route(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path.endswith("/chat/completions"):
            self.requests += 1
            if self.requests >= self.max_requests:
                self.done.set()
            await asyncio.sleep(self.latency)
            return 200, answer(json.loads(body))
        if method == "GET" and path.endswith("/models"):
            return 200, {"object": "list", "data": [{"id": "stub", "object": "model"}]}
        return 404, {"error": {"message": f"no route {method} {path}"}}


async def serve(latency: float, port: int, max_seconds: float, max_requests: int) -> None:
    stub = Stub(latency, max_requests)
    server = await asyncio.start_server(stub.handle, HOST, port, backlog=1024)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    started = time.monotonic()
    async with server:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stub.done.wait(), timeout=max_seconds)
    print(f"stub: {stub.requests} requests in {time.monotonic() - started:.1f}s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    args = parser.parse_args()
    asyncio.run(serve(args.latency, args.port, args.max_seconds, args.max_requests))


if __name__ == "__main__":
    main()
