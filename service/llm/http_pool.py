"""An HTTP connection pool that stays cheap at high concurrency.

httpcore's pool re-examines every connection it holds (with a ``poll`` system call per
idle connection) each time a request starts or finishes, so its CPU cost per request
grows with the pool size: at 64 connections it costs milliseconds per request, more
than the rest of a batch request together. Splitting the connections across several
small pools keeps each scan short; a request goes to the pool with the fewest requests
in flight, so no pool queues while another has a free connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

#: Connections per inner pool: small enough to scan cheaply, big enough to share well.
SHARD_SIZE = 16


class _Released(httpx.AsyncByteStream):
    """A response body that reports when it is closed (the request leaves its pool)."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


class ShardedTransport(httpx.AsyncBaseTransport):
    """``connections`` connections split into pools of at most ``SHARD_SIZE``."""

    def __init__(self, connections: int, *, shard_size: int = SHARD_SIZE) -> None:
        count = max(1, -(-connections // shard_size))
        per_shard = max(1, -(-connections // count))
        limits = httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard)
        self._shards = [httpx.AsyncHTTPTransport(limits=limits) for _ in range(count)]
        self._in_flight = [0] * count

    @property
    def shards(self) -> int:
        return len(self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._shards)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1

        def release() -> None:
            self._in_flight[index] -= 1

        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Released(response.stream, release)
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


def pooled_client(connections: int, timeout: float) -> httpx.AsyncClient:
    """An httpx client for ``connections`` concurrent requests (the batch engine's)."""
    return httpx.AsyncClient(
        transport=ShardedTransport(connections),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
    )
