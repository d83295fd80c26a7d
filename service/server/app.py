"""The FastAPI application: ``/v1/extract``, ``/v1/jobs``, probes and metrics.

One ``Service`` per process holds the Extractors (one per strategy, sharing the process's
embedded model server and response cache), the job manager, the request slots and the
metrics. Every route is a thin adapter over the same ``Extractor`` and batch engine the
command line uses; every error leaves as ``{"error": {"code", "message", "article_id"?}}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimstance import __version__
from claimstance.batch.extractor import make_extractor
from claimstance.batch.stats import price_for
from claimstance.config import Settings
from claimstance.errors import (
    HTTP_STATUS,
    ClaimstanceError,
    InputError,
    ProviderError,
    RequestTimeout,
    RequestTooLarge,
)
from claimstance.pipeline.extractor import Extractor, as_targets
from claimstance.schemas.models import Extraction, Usage
from claimstance.server.jobs import JobManager
from claimstance.server.jobs_view import JobView, iter_file
from claimstance.server.metrics import CONTENT_TYPE, Metrics, Observe
from claimstance.server.models import (
    JOB_BODY,
    JSONL,
    RESULTS,
    ErrorBody,
    ExtractRequest,
    error_responses,
)
from claimstance.server.parse import job_lines
from claimstance.server.security import BearerAuth, BodyLimit, LastResort, Slots, error_body

log = logging.getLogger("uvicorn.error.claimstance")  # shown where uvicorn logs
ExtractorFactory = Callable[[Settings], Extractor]
#: Seconds a readiness answer is reused (probes come every few seconds).
READY_TTL = 5.0


class Service:
    def __init__(self, settings: Settings, factory: ExtractorFactory) -> None:
        self.settings = settings
        self._factory = factory
        self._extractors: dict[str, Extractor] = {}
        self.jobs = JobManager(
            settings.state_dir / "jobs",
            self.extractor,
            price=lambda e: price_for(e.settings.resolved_model),
            on_usage=lambda usage: self.metrics.add_usage(usage),
        )
        self.metrics = Metrics(self.jobs.states)
        self.slots = Slots(settings.max_in_flight)
        self._ready: tuple[float, str | None] = (0.0, None)

    def extractor(self, strategy: str | None = None) -> Extractor:
        key = strategy or self.settings.resolved_strategy
        if key not in self._extractors:
            settings = self.settings.model_copy(update={"strategy": key})
            self._extractors[key] = self._factory(settings)
        return self._extractors[key]

    async def readiness(self) -> str | None:
        """None when the model endpoint answers, else why not (cached for READY_TTL)."""
        checked, problem = self._ready
        if time.monotonic() - checked < READY_TTL:
            return problem
        try:
            async with asyncio.timeout(30):
                await self.extractor().context.ping()
            problem = None
        except ClaimstanceError as e:
            problem = str(e)
        except TimeoutError:
            problem = "the model endpoint did not answer within 30 s"
        self._ready = (time.monotonic(), problem)
        return problem

    async def aclose(self) -> None:
        await self.jobs.shutdown()
        for extractor in self._extractors.values():
            await extractor.aclose()
            extractor.context.close()


#: Declares the bearer scheme in the OpenAPI description; security.BearerAuth (a
#: middleware, before routing and before the body is read) does the checking.
BEARER = HTTPBearer(auto_error=False, description="CLAIMSTANCE_API_TOKEN")


def _error_response(error: ClaimstanceError, *, article_id: str | None = None) -> JSONResponse:
    """The JSON answer for ``error``; ``article_id`` when the error does not name one (the
    error itself is left alone: single flight may share it between requests)."""
    named = error.article_id or (error.source if isinstance(error, InputError) else None)
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, round(retry_after)))
    retryable = error.retryable if isinstance(error, ProviderError) else None
    body = json.loads(error_body(error.code, str(error), named or article_id, retryable=retryable))
    return JSONResponse(body, status_code=HTTP_STATUS.get(error.code, 500), headers=headers)


def _for_article(error: ClaimstanceError, article_id: str) -> ClaimstanceError:
    error.article_id = article_id  # a new error of this request's, not a shared one
    return error


def server_extractor(settings: Settings) -> Extractor:
    """Requests from many clients share one Extractor: against a remote endpoint its LLM
    request limit and connection pool are sized to the server's slots, not to one
    article's ``concurrency``; the embedded model keeps its own small limit."""
    if settings.embedded:
        return Extractor(settings)
    return make_extractor(settings, max(settings.concurrency, settings.max_in_flight))


def create_app(
    settings: Settings | None = None,
    *,
    extractor_factory: ExtractorFactory = server_extractor,
    resume_jobs: bool = True,
) -> FastAPI:
    """The ASGI app over ``settings`` (default: the environment's)."""
    settings = settings or Settings.from_env()
    service = Service(settings, extractor_factory)
    token = settings.api_token.get_secret_value() if settings.api_token else None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if resume_jobs:
            resumed = service.jobs.resume()
            if resumed:
                log.info("resumed %d unfinished job(s)", len(resumed))
        try:
            yield
        finally:
            await service.aclose()

    app = FastAPI(
        title="claimstance",
        version=__version__,
        description="Grounded claims, speakers and stances from news articles.",
        lifespan=lifespan,
    )
    app.state.service = service
    guarded = [Depends(BEARER)]  # for the OpenAPI security scheme only

    @app.exception_handler(ClaimstanceError)
    async def _claimstance_error(request: Request, error: ClaimstanceError) -> JSONResponse:
        service.metrics.failure(error.code)
        return _error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "body"
        service.metrics.failure("input")
        return _error_response(InputError(f"invalid request: {where}: {first['msg']}"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "service")
        body = json.loads(error_body(code, str(error.detail)))
        return JSONResponse(body, status_code=error.status_code)

    @app.get("/healthz", tags=["probes"])
    async def healthz() -> dict[str, str]:
        """The process is up (it says nothing about the model)."""
        return {"status": "ok", "version": __version__}

    @app.get(
        "/readyz",
        tags=["probes"],
        responses={503: {"model": ErrorBody, "description": "not_ready: the model is down"}},
    )
    async def readyz() -> JSONResponse:
        """The model endpoint (or the embedded model) answers."""
        problem = await service.readiness()
        if problem is None:
            return JSONResponse({"status": "ready", "model": settings.resolved_model})
        body = json.loads(error_body("not_ready", problem))
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.get("/metrics", tags=["probes"], dependencies=guarded, responses=error_responses())
    async def metrics() -> Response:
        """Prometheus text format."""
        text = await asyncio.to_thread(service.metrics.render)  # reads every job's record
        return Response(text, media_type=CONTENT_TYPE)

    @app.post(
        "/v1/extract",
        tags=["extract"],
        dependencies=guarded,
        response_model=Extraction,
        responses=error_responses(413, 422, 502, 503, 504),
    )
    async def extract(body: ExtractRequest) -> Response:
        """Claims, speakers and stances of one article."""
        article = body.article()
        if len(article.text) > settings.max_article_chars:
            raise _for_article(
                RequestTooLarge(
                    f"the article has {len(article.text):,} characters, more than the "
                    f"{settings.max_article_chars:,} allowed (CLAIMSTANCE_MAX_ARTICLE_CHARS)"
                ),
                article.id,
            )
        targets = as_targets(body.targets, source=article.id)
        extractor = service.extractor(body.strategy)
        with service.slots:
            try:
                async with asyncio.timeout(settings.request_timeout):
                    extraction = await extractor.aextract(article, targets=targets)
            except TimeoutError:
                late = RequestTimeout(
                    f"the article took more than {settings.request_timeout:g} s "
                    "(CLAIMSTANCE_REQUEST_TIMEOUT)"
                )
                raise _for_article(late, article.id) from None
            except ClaimstanceError as e:
                service.metrics.failure(e.code)
                usage = getattr(e, "usage", None)
                if isinstance(usage, Usage):
                    service.metrics.add_usage(usage)
                return _error_response(e, article_id=article.id)
        service.metrics.add_usage(extraction.usage)
        return Response(extraction.model_dump_json(), media_type="application/json")

    @app.post(
        "/v1/jobs",
        tags=["jobs"],
        dependencies=guarded,
        status_code=202,
        openapi_extra=JOB_BODY,
        responses=error_responses(413, 422),
    )
    async def submit_job(
        request: Request,
        target: Annotated[list[str] | None, Query(description="Stance target; repeat.")] = None,
        strategy: Annotated[Literal["article", "guided"] | None, Query()] = None,
    ) -> JobView:
        """Many articles: a JSON array, ``{"articles": [...], "targets": [...]}`` or a JSONL
        body (``Content-Type: application/x-ndjson``). Runs in the background."""
        body = await request.body()
        lines, body_targets, body_strategy = job_lines(body, request.headers.get("content-type"))
        targets = as_targets([*(target or []), *body_targets], source=None)
        chosen = strategy or body_strategy or settings.resolved_strategy
        record = await service.jobs.submit(lines, targets=targets, strategy=chosen)
        return await asyncio.to_thread(service.jobs.view, record.id)

    @app.get("/v1/jobs", tags=["jobs"], dependencies=guarded, responses=error_responses())
    async def list_jobs() -> list[JobView]:
        """Every job this server keeps, oldest first."""

        def views() -> list[JobView]:
            return [service.jobs.view(job_id) for job_id in service.jobs.ids()]

        return await asyncio.to_thread(views)

    @app.get(
        "/v1/jobs/{job_id}",
        tags=["jobs"],
        dependencies=guarded,
        responses=error_responses(404, 422),
    )
    async def job(job_id: str) -> JobView:
        """Status, counts, tokens, cost and progress."""
        return await asyncio.to_thread(service.jobs.view, job_id)

    @app.get(
        "/v1/jobs/{job_id}/results",
        tags=["jobs"],
        dependencies=guarded,
        responses={**RESULTS, **error_responses(404, 409, 422)},
    )
    async def results(
        job_id: str, format: Literal["jsonl", "parquet", "csv"] = "jsonl"
    ) -> Response:
        """Extractions as JSONL (streamed, also while the job runs), or the flat claims
        table as Parquet or CSV once it has finished."""
        if format == "jsonl":
            path = service.jobs.results_path(job_id, format)
            return StreamingResponse(iter_file(path), media_type="application/x-ndjson")
        path = await service.jobs.table(job_id, format)
        media = "text/csv" if format == "csv" else "application/vnd.apache.parquet"
        return FileResponse(path, media_type=media, filename=f"{job_id}-claims.{format}")

    @app.get(
        "/v1/jobs/{job_id}/errors",
        tags=["jobs"],
        dependencies=guarded,
        responses={**JSONL, **error_responses(404, 422)},
    )
    async def errors(job_id: str) -> StreamingResponse:
        """One JSON record per failed article (id, code, message)."""
        path = service.jobs.errors_path(job_id)
        return StreamingResponse(iter_file(path), media_type="application/x-ndjson")

    @app.delete(
        "/v1/jobs/{job_id}",
        tags=["jobs"],
        dependencies=guarded,
        responses=error_responses(404, 422),
    )
    async def cancel(job_id: str) -> JobView:
        """Stop a job; what it finished is kept (results and tables)."""
        service.jobs.cancel(job_id)
        return await asyncio.to_thread(service.jobs.view, job_id)

    # Outermost last: metrics see every answer; the token is checked before the body is read.
    failure = service.metrics.failure
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, on_refuse=failure)
    app.add_middleware(BearerAuth, token=token, on_refuse=failure)
    app.add_middleware(LastResort, on_error=failure)
    app.add_middleware(Observe, metrics=service.metrics)
    return app


def app_from_env() -> FastAPI:
    """The factory ``uvicorn --factory`` calls in each worker process (``serve --workers``)."""
    return create_app()
