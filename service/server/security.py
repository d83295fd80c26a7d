"""What stands between a request and the pipeline: token, body size, concurrency.

* Bearer token (``CLAIMSTANCE_API_TOKEN``), compared in constant time in a middleware
  before routing and before the body is read; without a token the server only binds to
  loopback (:func:`check_bind`).
* A body limit enforced on the bytes received, not on a declared length alone, so a
  client that lies in ``Content-Length`` or streams chunks still gets 413 (on every route).
* A non-blocking slot count: a saturated server answers 503 with ``Retry-After`` at once
  instead of queueing requests until they time out.
"""

from __future__ import annotations

import collections
import hmac
import ipaddress
import json
import logging
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from claimstance.errors import (
    AuthenticationError,
    ConfigError,
    RequestTooLarge,
    ServiceBusy,
    redact,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("uvicorn.error.claimstance")  # shown where uvicorn logs

#: Routes anyone may call: liveness and readiness probes, and the API description.
OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"}
)


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


def error_body(
    code: str, message: str, article_id: str | None = None, *, retryable: bool | None = None
) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message}
    if article_id is not None:
        error["article_id"] = article_id
    if retryable is not None:
        error["retryable"] = retryable
    return json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")


class BodyLimit:
    """ASGI middleware: 413 once a request body exceeds ``limit`` bytes.

    The whole body is read and counted here, before the app sees any of it (FastAPI
    buffers it anyway), and then replayed: an error raised inside the app's ``receive``
    would be swallowed by FastAPI's body reader and answered 400."""

    def __init__(
        self, app: ASGIApp, limit: int, on_refuse: Callable[[str], None] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self._on_refuse = on_refuse or (lambda code: None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        buffered: collections.deque[Message] = collections.deque()
        received = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":  # the client went away
                break
            received += len(message.get("body", b""))
            if received > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if buffered:
                return buffered.popleft()
            return await receive()  # after the body: a disconnect, for streamed answers

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        error = RequestTooLarge(f"the request body is over {self.limit:,} bytes")
        self._on_refuse(error.code)
        await send_error(send, error.status, error_body(error.code, str(error)), close=True)


class BearerAuth:
    """ASGI middleware: every route but :data:`OPEN_PATHS` needs the bearer token, checked
    before routing and before any of the body is read (an anonymous client gets 401, not
    a parse of its body)."""

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        on_refuse: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self._token = token
        self._on_refuse = on_refuse or (lambda code: None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._token is None or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"authorization")
        try:
            check_token(raw.decode("latin-1") if raw is not None else None, self._token)
        except AuthenticationError as error:
            self._on_refuse(error.code)
            body = error_body(error.code, str(error))
            await send_error(send, error.status, body, extra=[(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)


async def send_error(
    send: Send,
    status: int,
    body: bytes,
    *,
    close: bool = False,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A JSON error answered by a middleware, outside the app's handlers."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class LastResort:
    """ASGI middleware: a bug in a route is a JSON 500 ``internal`` that tells nothing of it
    (no traceback, path or secret); the server's log gets the traceback, redacted.
    (Starlette's own last resort re-raises to the server, which logs it as it is.)"""

    def __init__(self, app: ASGIApp, on_error: Callable[[str], None]) -> None:
        self.app = app
        self._on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as e:
            trace = "".join(traceback.format_exception(e))
            log.error("bug answering %s %s:\n%s", scope["method"], scope["path"], redact(trace))
            self._on_error("internal")
            if not started:  # else the answer is cut short: all that can be done
                message = "internal server error; the server's log has the details"
                await send_error(send, 500, error_body("internal", message))


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
