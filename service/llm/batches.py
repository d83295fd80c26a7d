"""Provider batch mode (used by :mod:`claimstance.batch.provider`): the request body the
live path would send, and thin wrappers over the Files and Batches endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import instructor
from pydantic import BaseModel

from claimstance.config import Settings
from claimstance.llm.client import MODES, Message, openai_client, resolved_mode, wire_model
from claimstance.llm.transport import Sleep, transport_retrying, vendor_errors


class _Captured(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__("captured")
        self.body = body


def request_body(
    settings: Settings,
    response_model: type[BaseModel],
    messages: list[Message],
    *,
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """The chat-completions body :meth:`LLMClient.structured` sends for these messages.

    Built by instructor itself (its request is captured, never sent), so tools, tool
    choice and response format are exactly those of the live path for the chosen mode.
    """

    def capture(*args: Any, **kwargs: Any) -> Any:
        raise _Captured(kwargs)

    create = instructor.patch(create=capture, mode=MODES[resolved_mode(settings)])
    try:
        create(
            response_model=wire_model(response_model),
            messages=messages,
            model=settings.resolved_model,
            temperature=settings.temperature,
            max_tokens=max_tokens or settings.max_tokens,
            max_retries=0,
        )
    except _Captured as e:
        return e.body
    except Exception as e:
        cause = e.__cause__ or e.__context__
        if isinstance(cause, _Captured):
            return cause.body
        raise
    raise RuntimeError("instructor returned without sending a request")  # pragma: no cover


@dataclass(frozen=True)
class BatchInfo:
    """The part of a provider Batch object that claimstance uses."""

    id: str
    status: str
    input_file_id: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    request_counts: dict[str, int] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)


def _batch_info(batch: Any) -> BatchInfo:
    counts = batch.request_counts.model_dump() if batch.request_counts is not None else {}
    return BatchInfo(
        id=batch.id,
        status=batch.status,
        input_file_id=batch.input_file_id,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        request_counts={k: int(v) for k, v in counts.items() if v is not None},
        metadata=dict(batch.metadata or {}),
    )


class BatchAPI:
    """Files and Batches endpoints with the same transport retries and typed errors."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._client = openai_client(settings, http_client=http_client)
        self._sleep = sleep

    async def _call(self, call: Callable[[], Awaitable[Any]]) -> Any:
        async for attempt in transport_retrying(self.settings, self._sleep):
            with attempt, vendor_errors():
                return await call()
        raise RuntimeError("unreachable")  # pragma: no cover

    async def upload(self, path: Path) -> str:
        """Upload a request file (purpose ``batch``); return its file id."""

        async def call() -> Any:
            with path.open("rb") as f:
                return await self._client.files.create(file=(path.name, f), purpose="batch")

        return str((await self._call(call)).id)

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        batch = await self._call(
            lambda: self._client.batches.create(
                input_file_id=input_file_id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
                metadata=metadata,
            )
        )
        return _batch_info(batch)

    async def retrieve(self, batch_id: str) -> BatchInfo:
        return _batch_info(await self._call(lambda: self._client.batches.retrieve(batch_id)))

    async def find(self, input_file_id: str, *, limit: int = 100) -> BatchInfo | None:
        """A batch already created for ``input_file_id`` (newest first), if any."""
        page = await self._call(lambda: self._client.batches.list(limit=limit))
        for batch in page.data:
            if batch.input_file_id == input_file_id:
                return _batch_info(batch)
        return None

    async def download(self, file_id: str, dest: Path) -> None:
        """Stream a file's content to ``dest`` (written to a temp file, then renamed)."""
        temp = dest.with_name(dest.name + ".part")

        async def call() -> None:
            streaming = self._client.files.with_streaming_response.content(file_id)
            async with streaming as response:
                with temp.open("wb") as f:
                    async for chunk in response.iter_bytes():
                        f.write(chunk)

        await self._call(call)
        temp.replace(dest)

    async def aclose(self) -> None:
        await self._client.close()
