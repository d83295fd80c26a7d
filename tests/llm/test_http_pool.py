"""The batch engine's sharded connection pool: spreads requests, always releases them."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from claimstance.llm.http_pool import ShardedTransport, pooled_client
from tests.support.fake_llm import FakeLLM, loopback


def test_connections_are_split_into_small_pools() -> None:
    assert ShardedTransport(64).shards == 4
    assert ShardedTransport(40).shards == 3
    assert ShardedTransport(10).shards == 1


def test_concurrent_requests_spread_and_are_released() -> None:
    fake = FakeLLM(lambda request: {"ok": True})
    with loopback(fake) as base_url:

        async def go() -> tuple[list[int], list[int], list[int]]:
            client = pooled_client(40, 10.0)
            transport = client._transport
            assert isinstance(transport, ShardedTransport)
            busiest: list[int] = []

            async def one(i: int) -> int:
                body = {"model": "m", "messages": [{"role": "user", "content": str(i)}]}
                response = await client.post(f"{base_url}/chat/completions", json=body)
                busiest.append(max(transport._in_flight))
                return response.status_code

            statuses = await asyncio.gather(*(one(i) for i in range(60)))
            left = list(transport._in_flight)
            await client.aclose()
            return statuses, left, busiest

        statuses, left, busiest = asyncio.run(go())
    assert statuses == [200] * 60 and len(fake.requests) == 60
    assert left == [0, 0, 0]
    assert max(busiest) <= 20  # least-loaded: no pool holds far more than its share


def test_a_failed_request_is_released() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def go() -> list[int]:
        transport = ShardedTransport(20)
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                with pytest.raises(httpx.ConnectError):
                    await client.get(f"http://127.0.0.1:{port}/")
        return transport._in_flight

    assert asyncio.run(go()) == [0, 0]
