"""``Client`` / ``AsyncClient``: typed calls to a claimstance server.

Both return the schema's models (``Extraction``) and raise the project's typed errors,
rebuilt from the server's JSON error codes (``errors.from_code``). 429 and 503 (and a
server that cannot be reached) are retried with exponential backoff and jitter, never
sooner than ``Retry-After`` says: many clients refused at once do not all come back at
once. Other errors are raised at once; a broken connection is a ``ServiceError`` naming
the server, not an httpx exception.
The sync client is the async one run on a private loop thread, so the two cannot drift.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any

import httpx

from claimstance.errors import ClaimstanceError, ServiceError, from_code
from claimstance.loop_thread import LoopThread
from claimstance.schemas.models import Article, Extraction

RETRY_STATUS = (429, 503)
#: Transport failures worth another try: the request never reached the server.
RETRY_TRANSPORT = (httpx.ConnectError, httpx.ConnectTimeout)
FINISHED = ("done", "failed", "cancelled")
ProgressCallback = Callable[[dict[str, Any]], None]


def _article_body(
    article: Article | str | dict[str, Any], targets: Sequence[str] | None, strategy: str | None
) -> dict[str, Any]:
    if isinstance(article, Article):
        body: dict[str, Any] = article.model_dump(mode="json", exclude_none=True)
    elif isinstance(article, str):
        body = {"text": article}
    elif isinstance(article, dict):
        body = dict(article)
    else:
        raise TypeError(f"expected an Article, a str or a dict, got {type(article).__name__}")
    if targets:
        body["targets"] = [targets] if isinstance(targets, str) else list(targets)
    if strategy:
        body["strategy"] = strategy
    return body


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _error(response: httpx.Response) -> ClaimstanceError:
    try:
        payload = response.json()["error"]
        code, message = str(payload["code"]), str(payload["message"])
        article_id = payload.get("article_id")
        retryable = payload.get("retryable")
    except (ValueError, KeyError, TypeError):
        code, message, article_id = "service", f"HTTP {response.status_code}", None
        retryable = None
    retry_after = _retry_after(response)
    error = from_code(
        code,
        message,
        retry_after=retry_after,
        retryable=retryable if isinstance(retryable, bool) else None,
    )
    error.article_id = article_id
    if isinstance(error, ServiceError):
        error.status = response.status_code
    return error


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


class AsyncClient:
    """Async client; ``async with AsyncClient(url, token=…) as client: …``."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        *,
        token: str | None = None,
        timeout: float = 660.0,
        retries: int = 5,
        backoff: float = 0.5,
        max_wait: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before retry ``attempt`` (0 first): the backoff grows even when the
        server sends Retry-After (the same few seconds for every refused client would bring
        them all back together), never below it, spread by up to half as much again."""
        wait: float = max(retry_after or 0.0, self.backoff * 2.0**attempt)
        return min(wait * (1 + random.random() / 2), self.max_wait)

    def _unreachable(self, error: httpx.TransportError) -> ServiceError:
        return ServiceError(
            f"claimstance server at {self._http.base_url}: {type(error).__name__}: "
            f"{error or 'connection failed'}"
        )

    async def _send(self, send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        """``send()`` until it is not refused for load, retried as many times as allowed;
        an error status is raised as its typed error."""
        attempt = 0
        while True:
            try:
                response = await send()
            except RETRY_TRANSPORT as e:
                if attempt >= self.retries:
                    raise self._unreachable(e) from e
                await asyncio.sleep(self._wait(attempt, None))
                attempt += 1
                continue
            except httpx.TransportError as e:
                raise self._unreachable(e) from e
            if response.status_code < 400:
                return response
            if not response.is_closed:
                await response.aread()
                await response.aclose()
            if response.status_code not in RETRY_STATUS or attempt >= self.retries:
                raise _error(response)
            await asyncio.sleep(self._wait(attempt, _retry_after(response)))
            attempt += 1

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self._send(lambda: self._http.request(method, path, **kwargs))

    async def extract(
        self,
        article: Article | str | dict[str, Any],
        *,
        targets: Sequence[str] | None = None,
        strategy: str | None = None,
    ) -> Extraction:
        """One article (its text, an ``Article``, or a dict of its fields) → Extraction."""
        body = json.dumps(_article_body(article, targets, strategy), default=_jsonable)
        response = await self._request(
            "POST", "/v1/extract", content=body, headers={"Content-Type": "application/json"}
        )
        return Extraction.model_validate_json(response.content)

    async def submit_job(
        self,
        articles: Sequence[Article | str | dict[str, Any]],
        *,
        targets: Sequence[str] | None = None,
        strategy: str | None = None,
    ) -> str:
        """Start a background job over many articles; returns its id."""
        lines = [
            json.dumps(_article_body(a, None, None), default=_jsonable, ensure_ascii=False)
            for a in articles
        ]
        params: dict[str, Any] = {"target": list(targets or [])}
        if strategy:
            params["strategy"] = strategy
        response = await self._request(
            "POST",
            "/v1/jobs",
            content="\n".join(lines).encode("utf-8"),
            params=params,
            headers={"Content-Type": "application/x-ndjson"},
        )
        return str(response.json()["id"])

    async def job(self, job_id: str) -> dict[str, Any]:
        """The job's status, counts, tokens, cost and progress."""
        data: dict[str, Any] = (await self._request("GET", f"/v1/jobs/{job_id}")).json()
        return data

    async def wait(
        self,
        job_id: str,
        *,
        poll: float = 1.0,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> dict[str, Any]:
        """Poll until the job has finished; ``progress`` gets every status seen."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = await self.job(job_id)
            if progress is not None:
                progress(status)
            if status["status"] in FINISHED:
                return status
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {status['status']} after {timeout} s")
            await asyncio.sleep(poll)

    async def results(self, job_id: str) -> AsyncIterator[Extraction]:
        """The job's Extractions, streamed (the request retried as the others are)."""
        request = self._http.build_request("GET", f"/v1/jobs/{job_id}/results")
        response = await self._send(lambda: self._http.send(request, stream=True))
        try:
            async for line in response.aiter_lines():
                if line.strip():
                    yield Extraction.model_validate_json(line)
        except httpx.TransportError as e:
            raise self._unreachable(e) from e
        finally:
            with contextlib.suppress(httpx.TransportError):
                await response.aclose()

    async def errors(self, job_id: str) -> list[dict[str, Any]]:
        response = await self._request("GET", f"/v1/jobs/{job_id}/errors")
        return [json.loads(line) for line in response.text.splitlines() if line.strip()]

    async def cancel(self, job_id: str) -> dict[str, Any]:
        data: dict[str, Any] = (await self._request("DELETE", f"/v1/jobs/{job_id}")).json()
        return data

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class Client:
    """Blocking client with the same methods as :class:`AsyncClient`."""

    def __init__(self, base_url: str = "http://127.0.0.1:8000", **options: Any) -> None:
        self._loop = LoopThread("claimstance-client")
        self._async = self._loop.run(_make(base_url, options))

    def extract(
        self,
        article: Article | str | dict[str, Any],
        *,
        targets: Sequence[str] | None = None,
        strategy: str | None = None,
    ) -> Extraction:
        return self._loop.run(self._async.extract(article, targets=targets, strategy=strategy))

    def submit_job(
        self,
        articles: Sequence[Article | str | dict[str, Any]],
        *,
        targets: Sequence[str] | None = None,
        strategy: str | None = None,
    ) -> str:
        return self._loop.run(self._async.submit_job(articles, targets=targets, strategy=strategy))

    def job(self, job_id: str) -> dict[str, Any]:
        return self._loop.run(self._async.job(job_id))

    def wait(
        self,
        job_id: str,
        *,
        poll: float = 1.0,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> dict[str, Any]:
        return self._loop.run(
            self._async.wait(job_id, poll=poll, timeout=timeout, progress=progress)
        )

    def results(self, job_id: str) -> Iterator[Extraction]:
        stream = self._async.results(job_id)
        try:
            while True:
                try:
                    yield self._loop.run(anext(stream))
                except StopAsyncIteration:
                    return
        finally:
            self._loop.run(stream.aclose())  # type: ignore[attr-defined]

    def errors(self, job_id: str) -> list[dict[str, Any]]:
        return self._loop.run(self._async.errors(job_id))

    def cancel(self, job_id: str) -> dict[str, Any]:
        return self._loop.run(self._async.cancel(job_id))

    def close(self) -> None:
        if self._loop.started:
            self._loop.run(self._async.aclose())
            self._loop.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


async def _make(base_url: str, options: dict[str, Any]) -> AsyncClient:
    return AsyncClient(base_url, **options)  # made on the loop that will use it
