"""What one extraction run needs: settings, cache, an LLM client per event loop, a limiter.

Clients and semaphores belong to an event loop, and a process may drive the same
Extractor from several loops (the sync API keeps its own); so they are made per loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from service.cache import ResponseCache
from service.chunking import chunk_ranges
from service.config import Settings
from service.llm import LLMClient

HttpClientFactory = Callable[[], httpx.AsyncClient]


class RunContext:
    def __init__(
        self,
        settings: Settings,
        *,
        cache: ResponseCache | None = None,
        http_client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache if cache is not None else ResponseCache.for_settings(settings)
        self._http_client_factory = http_client_factory
        self._clients: dict[int, LLMClient] = {}
        self._limiters: dict[int, asyncio.Semaphore] = {}

    @staticmethod
    def _loop_key() -> int:
        return id(asyncio.get_running_loop())

    def llm(self) -> LLMClient:
        """The client for the running loop; starts the embedded model on first use."""
        key = self._loop_key()
        client = self._clients.get(key)
        if client is None:
            base_url = None
            if self.settings.embedded:
                from service.embedded import shared_server

                base_url = shared_server(self.settings).base_url
            http_client = self._http_client_factory() if self._http_client_factory else None
            client = LLMClient(self.settings, base_url=base_url, http_client=http_client)
            self._clients[key] = client
        return client

    @property
    def limiter(self) -> asyncio.Semaphore:
        key = self._loop_key()
        if key not in self._limiters:
            self._limiters[key] = asyncio.Semaphore(self.settings.concurrency)
        return self._limiters[key]

    def chunk_ranges(self, text: str) -> list[tuple[int, int]]:
        return chunk_ranges(text, self.settings.chunk_chars, self.settings.chunk_overlap)

    async def aclose_clients(self) -> None:
        """Close the clients of the running loop (others are closed with their loops)."""
        client = self._clients.pop(self._loop_key(), None)
        if client is not None:
            await client.aclose()

    def close(self) -> None:
        self.cache.close()
