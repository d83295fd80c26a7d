"""An event loop of its own in a daemon thread, for the synchronous API.

``Extractor.extract`` must work where an event loop is already running (Jupyter, an
async web framework calling sync code); running its coroutine on a private loop in
another thread does, and it keeps one loop, so one set of HTTP clients, for the
Extractor's whole life.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class LoopThread:
    """Runs coroutines to completion on one background loop; safe to call from any thread."""

    def __init__(self, name: str = "claimstance-loop") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def main() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=main, name=self._name, daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    def run(self, awaitable: Awaitable[T]) -> T:
        """The awaitable's result (or exception); Ctrl-C while waiting cancels it."""
        if self.in_loop_thread():
            raise RuntimeError("a synchronous call from inside its own event loop")

        async def wrapped() -> T:
            return await awaitable

        future = asyncio.run_coroutine_threadsafe(wrapped(), self._started())
        try:
            return future.result()
        except (KeyboardInterrupt, SystemExit):
            future.cancel()
            raise
        except concurrent.futures.CancelledError:
            raise asyncio.CancelledError() from None

    def in_loop_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    @property
    def started(self) -> bool:
        return self._loop is not None

    def close(self) -> None:
        """Stop the loop and join its thread (pending tasks are cancelled)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def cancel_rest() -> None:
            current = asyncio.current_task()
            rest = [t for t in asyncio.all_tasks() if t is not current]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        if thread.is_alive():
            asyncio.run_coroutine_threadsafe(cancel_rest(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        loop.close()
