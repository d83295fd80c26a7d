"""Worker processes for the batch engine (``claimstance batch --workers N``).

One Python process tops out at about a hundred articles a second on one core: the OpenAI
SDK, instructor, validation, grounding and assembly are CPU work. A fast endpoint (vLLM
on GPUs, a provider with high rate limits) can serve more, so ``--workers N`` moves
extraction into N child processes that share the job's concurrency. This process still
reads, admits (budget), writes and accounts for every article, so the manifest, resume
and exactly-once guarantees of :mod:`claimstance.batch.engine` do not change.

Protocol, one line per message over the child's stdin and stdout:

- parent to child: a first line with the settings, pickled in base64 (they hold the API
  key, which must not appear in argv), then one JSON line per article;
- child to parent: per article, a JSON header line (sequence number and accounting), then
  the record line exactly as it will be written.

A child exits when its stdin closes (the parent is done, or died; on Linux the kernel
also sends it SIGTERM when the parent dies) and ignores SIGINT, which is the parent's to
handle. When a child dies, each article it held is sent once more, to a fresh child; an
article that a child dies on twice is recorded as failed (``worker_crashed``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import pickle
import signal
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, BinaryIO

from claimstance.batch.extractor import make_extractor
from claimstance.batch.outcome import Outcome, extract_outcome, failure
from claimstance.config import Settings
from claimstance.errors import (
    ConfigError,
    InternalError,
    WorkerCrashed,
    WorkerPoolBroken,
)
from claimstance.local_model.childproc import dies_with_parent
from claimstance.schemas.models import Article, Usage

#: A record line holds a whole extraction; asyncio's default line limit is 64 KiB.
LINE_LIMIT = 1 << 30
STOP_TIMEOUT = 10.0


class _Died(Exception):
    """The child holding an article exited before answering."""


class _Child:
    """One worker process and the articles it holds."""

    def __init__(self, proc: asyncio.subprocess.Process, on_success: Callable[[], None]) -> None:
        self.proc = proc
        self.pending: dict[int, asyncio.Future[Outcome]] = {}
        self._on_success = on_success
        self.death_counted = False
        self.reader = asyncio.create_task(self._read())

    @property
    def alive(self) -> bool:
        return not self.reader.done()

    async def submit(self, seq: int, article: Article, targets: list[str]) -> Outcome:
        assert self.proc.stdin is not None
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.pending[seq] = future
        try:
            if not self.alive:
                raise _Died
            request = {"seq": seq, "targets": targets, "article": article.model_dump(mode="json")}
            try:
                self.proc.stdin.write(json.dumps(request).encode() + b"\n")
                await self.proc.stdin.drain()
            except (ConnectionError, RuntimeError):  # the child is gone; the reader says so
                pass
            return await future
        finally:
            self.pending.pop(seq, None)
            if not future.done():
                future.cancel()
            elif not future.cancelled():
                future.exception()  # retrieved: raised above, or moot after a cancel

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        try:
            while True:
                head = await stdout.readline()
                line = await stdout.readline() if head.endswith(b"\n") else b""
                if not line.endswith(b"\n"):
                    break  # end of stream: the child exited
                header = json.loads(head)
                usage = header["usage"]
                outcome = Outcome(
                    line[:-1].decode("utf-8", "surrogatepass"),
                    header["error"],
                    header["article_id"],
                    Usage.model_validate(usage) if usage is not None else None,
                    header["cached"],
                )
                future = self.pending.get(header["seq"])
                if future is not None and not future.done():
                    future.set_result(outcome)
                    self._on_success()
        except (ValueError, KeyError, OSError):
            pass  # a garbled stream is treated like a dead child
        finally:
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(_Died())

    async def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)


class WorkerPool:
    """N worker processes sharing ``concurrency``; ``run`` is a batch ``Runner``."""

    def __init__(self, settings: Settings, *, workers: int, concurrency: int) -> None:
        if settings.embedded:
            raise ConfigError(
                "--workers needs an endpoint (--base-url or OPENAI_API_KEY): the embedded "
                "model is one local server, which more processes would not speed up"
            )
        self.settings = settings
        self.share = max(1, -(-concurrency // workers))
        self._slots: list[_Child | None] = [None] * workers
        self._locks = [asyncio.Lock() for _ in range(workers)]
        self._load = [0] * workers  # articles sent to each slot and not yet answered
        self._seq = 0
        self._answers = 0
        self._crashes = 0  # deaths since the last answer
        # More deaths in a row than children means they cannot start or all break; a
        # single bad article kills at most two (its two attempts).
        self._max_crashes = workers + 1
        self._broken: WorkerPoolBroken | None = None
        self._last_exit: int | None = None

    async def __aenter__(self) -> WorkerPool:
        await asyncio.gather(*(self._child(i) for i in range(len(self._slots))))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        children = [c for c in self._slots if c is not None]
        await asyncio.gather(*(c.stop() for c in children), return_exceptions=True)

    async def run(self, article: Article, targets: list[str]) -> Outcome:
        deaths = 0
        # Until some child has answered, deaths are the setup's fault, not the article's:
        # retry until the pool counts them as broken.
        while deaths < 2 or not self._answers:
            self._seq += 1
            seq = self._seq
            index = min(range(len(self._load)), key=self._load.__getitem__)
            self._load[index] += 1
            try:
                child = await self._child(index)
                return await child.submit(seq, article, targets)
            except _Died:
                deaths += 1
                await self._count_death(child)
            finally:
                self._load[index] -= 1
        return failure(
            WorkerCrashed(
                f"a worker process died twice while extracting this article (last exit "
                f"code {self._last_exit}); its stderr is above"
            ),
            article,
        )

    async def _child(self, index: int) -> _Child:
        async with self._locks[index]:
            child = self._slots[index]
            if child is None or not child.alive:
                if child is not None:
                    await child.stop()
                child = await self._spawn()
                self._slots[index] = child
            return child

    async def _spawn(self) -> _Child:
        proc = await asyncio.create_subprocess_exec(
            *dies_with_parent([sys.executable, "-m", "claimstance.batch.workers"]),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=LINE_LIMIT,
        )
        assert proc.stdin is not None
        hello = {
            "settings": base64.b64encode(pickle.dumps(self.settings)).decode(),
            "concurrency": self.share,
        }
        proc.stdin.write(json.dumps(hello).encode() + b"\n")
        return _Child(proc, self._answered)

    def _answered(self) -> None:
        self._answers += 1
        self._crashes = 0

    async def _count_death(self, child: _Child) -> None:
        """Count a death once per child; stop when children keep dying without answering."""
        if not child.death_counted:
            child.death_counted = True
            with contextlib.suppress(TimeoutError):
                self._last_exit = await asyncio.wait_for(child.proc.wait(), 1.0)
            self._crashes += 1
            if self._crashes >= self._max_crashes and self._broken is None:
                self._broken = WorkerPoolBroken(
                    f"{self._crashes} worker processes in a row died without finishing an "
                    f"article (last exit code {self._last_exit}); their stderr is above"
                )
        if self._broken is not None:
            raise self._broken


# --- the child ---------------------------------------------------------------------------


async def _serve(requests: BinaryIO, answers: BinaryIO) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), requests)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, answers)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    hello = json.loads(await reader.readline())
    settings: Settings = pickle.loads(base64.b64decode(hello["settings"]))  # from our parent
    extractor = make_extractor(settings, int(hello["concurrency"]))

    async def answer(request: dict[str, Any]) -> None:
        try:
            article = Article.model_validate(request["article"])
            outcome = await extract_outcome(extractor, article, list(request["targets"]))
        except Exception as e:  # every request gets an answer, or the parent would wait
            article = Article.model_construct(id=str(request["article"].get("id")), text="")
            outcome = failure(InternalError(f"{type(e).__name__}: {e}"), article)
        header = {
            "seq": request["seq"],
            "error": outcome.is_error,
            "article_id": outcome.article_id,
            "usage": outcome.usage.model_dump() if outcome.usage is not None else None,
            "cached": outcome.cached,
        }
        line = outcome.line.encode("utf-8", "surrogatepass")
        writer.write(json.dumps(header).encode() + b"\n" + line + b"\n")
        await writer.drain()

    tasks: set[asyncio.Task[None]] = set()
    try:
        while (line := await reader.readline()).endswith(b"\n"):
            task = asyncio.create_task(answer(json.loads(line)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        # stdin closed: the parent is done (nothing is pending) or gone (nobody to answer)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await extractor.aclose()
        extractor.close()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the protocol
    asyncio.run(_serve(sys.stdin.buffer, answers))


if __name__ == "__main__":
    main()
