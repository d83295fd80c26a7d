"""What stands between a request and the pipeline: token, body size, concurrency.

* Bearer token (``CLAIMSTANCE_API_TOKEN``), compared in constant time; without a token
  the server only binds to loopback (:func:`check_bind`).
* A body limit enforced on the bytes received, not on a declared length alone, so a
  client that lies in ``Content-Length`` or streams chunks still gets 413.
* A non-blocking slot count: a saturated server answers 503 with ``Retry-After`` at once
  instead of queueing requests until they time out.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from claimstance.errors import AuthenticationError, ConfigError, RequestTooLarge, ServiceBusy

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Routes anyone may call: liveness and readiness probes, and the API description.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/docs", "/openapi.json", "/docs/oauth2-redirect"})


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token_configured: bool) -> None:
    """Refuse to serve beyond this machine without a token."""
    if not token_configured and not is_loopback(host):
        raise ConfigError(
            f"refusing to listen on {host} without CLAIMSTANCE_API_TOKEN: anyone who can "
            "reach the port could spend your model's budget; set a token, or bind 127.0.0.1"
        )


def check_token(authorization: str | None, expected: str | None) -> None:
    """Raise AuthenticationError unless the header carries the expected bearer token."""
    if expected is None:
        return
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8"), expected.encode("utf-8")
    ):
        raise AuthenticationError("missing or wrong bearer token (Authorization: Bearer …)")


def error_body(code: str, message: str, article_id: str | None = None) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message}
    if article_id is not None:
        error["article_id"] = article_id
    return json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")


class BodyLimit:
    """ASGI middleware: 413 once a request body exceeds ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # the app's error handler answers 413
                    raise RequestTooLarge(f"the request body is over {self.limit:,} bytes")
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except RequestTooLarge:  # read outside a route's error handling
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error = RequestTooLarge(f"the request body is over {self.limit:,} bytes")
        body = error_body(error.code, str(error))
        await send(
            {
                "type": "http.response.start",
                "status": error.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class Slots:
    """At most ``size`` requests inside; the next one is refused with ServiceBusy."""

    def __init__(self, size: int, retry_after: float = 1.0) -> None:
        self.size = size
        self.used = 0
        self.retry_after = retry_after

    def __enter__(self) -> Slots:
        if self.used >= self.size:
            raise ServiceBusy(
                f"all {self.size} request slots are busy (CLAIMSTANCE_MAX_IN_FLIGHT)",
                retry_after=self.retry_after,
            )
        self.used += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.used -= 1
