"""Every error claimstance raises on purpose; callers catch ``ClaimstanceError``.

The tree (``code`` — the stable name written to ``errors.jsonl`` and printed by the CLI):

    ClaimstanceError            error
    ├── ConfigError             config            settings unusable; the CLI exits with 2
    │   └── JobLocked           job_locked        another process is writing to the job
    ├── InputError              input             one article cannot be read
    ├── ProviderError           provider          the LLM endpoint failed (``retryable``)
    ├── ExtractionError         extraction        answers kept failing validation
    ├── InternalError           internal          a bug while processing one article
    ├── WorkerCrashed           worker_crashed    a worker process died holding an article
    ├── WorkerPoolBroken        workers_broken    worker processes keep dying: the job stops
    └── ServiceError            service           the HTTP service refused a request (``status``)
        ├── AuthenticationError unauthorized      no bearer token, or a wrong one (401)
        ├── NotFound            not_found         no such job (404)
        ├── NotReady            not_ready         a job's tables before it has finished (409)
        ├── RequestTooLarge     too_large         a body or an article over the limit (413)
        ├── ServiceBusy         busy              saturated: try again in ``retry_after`` s (503)
        └── RequestTimeout      timeout           the request took longer than allowed (504)

Over HTTP every error is ``{"error": {"code", "message", "article_id"?}}`` (a provider
error adds ``retryable``) with the status
of :data:`HTTP_STATUS`; the client turns the code back into the class (:func:`from_code`).

An article-level error (input, provider, extraction, internal, worker_crashed) is
recorded for that article and the batch goes on; the others stop the run. Vendor
exceptions become ``ProviderError`` in one place, ``claimstance.llm.transport``.
Private exceptions that only steer control flow inside one module (``_Died``,
``_PortTaken``, ``_Captured``) never leave it and are not part of this tree.
"""

from __future__ import annotations

import re
from typing import Any

from claimstance.schemas.models import Usage

#: What must never be written out: API keys ("sk-…", "Bearer …", "api_key=…") and the
#: credentials of a URL ("http://user:secret@host").
_SECRETS = (
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-*]{6,}"), r"\1-[redacted]"),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._\-~+/=]{8,}"), r"\1 [redacted]"),
    (
        re.compile(
            r"(?i)\b(api[_-]?key|token|password|secret)([\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]{6,}"
        ),
        r"\1\2[redacted]",
    ),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1[redacted]@"),
)


def redact(text: str) -> str:
    """``text`` with API keys and URL credentials replaced by ``[redacted]``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


#: Exit codes of the command line: every article done; some article failed (see
#: errors.jsonl); unusable settings (a ConfigError) or a job started with other parameters;
#: stopped before the token budget would be exceeded; interrupted (Ctrl-C, SIGTERM).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_BUDGET = 3
EXIT_INTERRUPTED = 130


class ClaimstanceError(Exception):
    """Base of every error claimstance raises deliberately. Its message is redacted
    (:func:`redact`) as it is made: an endpoint that echoes a key never leaks it."""

    #: Short machine-readable name, stable across releases (used in batch error logs).
    code = "error"
    #: The article the error belongs to, where one does (set by whoever knows it).
    article_id: str | None = None

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "code": self.code, "message": str(self)}


class ConfigError(ClaimstanceError):
    """Settings are missing, contradictory or unusable (e.g. a model file that is not there)."""

    code = "config"


class JobLocked(ConfigError):
    """Another process is writing to this job directory (its lock is taken)."""

    code = "job_locked"


class InputError(ClaimstanceError):
    """An article cannot be read: empty, binary, not UTF-8, or malformed JSON."""

    code = "input"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source


class ProviderError(ClaimstanceError):
    """The LLM endpoint failed. ``retryable`` says whether trying later may help; ``usage``
    counts the requests the failed call sent (its retries included), once it is known."""

    code = "provider"
    usage: Usage | None = None

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status_code: int | None = None,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code
        self.original = original

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "retryable": self.retryable, "status_code": self.status_code}


class ExtractionError(ClaimstanceError):
    """The model kept answering with output that fails validation, after every re-ask."""

    code = "extraction"

    def __init__(
        self,
        message: str,
        *,
        last_output: str | None = None,
        attempts: int = 0,
        usage: Usage | None = None,
        cut_off: bool = False,
    ) -> None:
        super().__init__(message)
        self.last_output = last_output
        self.attempts = attempts
        self.usage = usage
        self.cut_off = cut_off  # the answer stopped at the token limit

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "attempts": self.attempts, "last_output": self.last_output}


class InternalError(ClaimstanceError):
    """An unexpected exception while processing one article (a bug): isolated, recorded."""

    code = "internal"


class WorkerCrashed(ClaimstanceError):
    """A worker process died while it held this article, twice."""

    code = "worker_crashed"


class WorkerPoolBroken(ClaimstanceError):
    """Worker processes keep dying without finishing anything: stop instead of failing all."""

    code = "workers_broken"


class ServiceError(ClaimstanceError):
    """The HTTP service refused or could not answer a request; ``status`` is its HTTP status."""

    code = "service"
    status = 500

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthenticationError(ServiceError):
    """The request carried no bearer token, or not the server's (CLAIMSTANCE_API_TOKEN)."""

    code = "unauthorized"
    status = 401


class NotFound(ServiceError):
    """No job, or no route, by that name."""

    code = "not_found"
    status = 404


class NotReady(ServiceError):
    """What was asked for does not exist yet (a job's tables before it has finished)."""

    code = "not_ready"
    status = 409


class RequestTooLarge(ServiceError):
    """The request body (CLAIMSTANCE_MAX_BODY_BYTES) or an article is over its limit."""

    code = "too_large"
    status = 413


class ServiceBusy(ServiceError):
    """Every slot is taken (CLAIMSTANCE_MAX_IN_FLIGHT); try again after ``retry_after``."""

    code = "busy"
    status = 503


class RequestTimeout(ServiceError):
    """The request took longer than CLAIMSTANCE_REQUEST_TIMEOUT."""

    code = "timeout"
    status = 504


_SERVICE_ERRORS: tuple[type[ServiceError], ...] = (
    ServiceError,
    AuthenticationError,
    NotFound,
    NotReady,
    RequestTooLarge,
    ServiceBusy,
    RequestTimeout,
)

#: The HTTP status of each error code. Article-level failures of the model endpoint are
#: 502 (the service worked, its upstream did not); a configuration problem of the server 500.
HTTP_STATUS: dict[str, int] = {
    "error": 500,
    "config": 500,
    "job_locked": 409,
    "input": 422,
    "provider": 502,
    "extraction": 502,
    "internal": 500,
    "worker_crashed": 500,
    "workers_broken": 500,
    **{cls.code: cls.status for cls in _SERVICE_ERRORS},
}


def from_code(
    code: str,
    message: str,
    *,
    retry_after: float | None = None,
    retryable: bool | None = None,
) -> ClaimstanceError:
    """The typed error for an error code received over HTTP (an unknown code: ServiceError).
    ``retryable``: the server's word for a provider error (unsaid: it may help to retry)."""
    if code == "input":
        return InputError(message)
    if code == "provider":
        return ProviderError(message, retryable=True if retryable is None else retryable)
    if code == "extraction":
        return ExtractionError(message)
    simple: dict[str, type[ClaimstanceError]] = {
        "config": ConfigError,
        "job_locked": JobLocked,
        "internal": InternalError,
        "worker_crashed": WorkerCrashed,
        "workers_broken": WorkerPoolBroken,
    }
    if code in simple:
        return simple[code](message)
    for cls in _SERVICE_ERRORS:
        if cls.code == code:
            return cls(message, retry_after=retry_after)
    error = ServiceError(message, retry_after=retry_after)
    error.code = code  # keep the server's code, even one this client does not know
    return error
