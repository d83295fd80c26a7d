"""Every error claimstance raises on purpose; callers catch ``ClaimstanceError``.

The tree (``code`` — the stable name written to ``errors.jsonl`` and printed by the CLI):

    ClaimstanceError            error
    ├── ConfigError             config            settings unusable; the CLI exits with 2
    ├── InputError              input             one article cannot be read
    ├── ProviderError           provider          the LLM endpoint failed (``retryable``)
    ├── ExtractionError         extraction        answers kept failing validation
    ├── InternalError           internal          a bug while processing one article
    ├── WorkerCrashed           worker_crashed    a worker process died holding an article
    └── WorkerPoolBroken        workers_broken    worker processes keep dying: the job stops

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

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "code": self.code, "message": str(self)}


class ConfigError(ClaimstanceError):
    """Settings are missing, contradictory or unusable (e.g. a model file that is not there)."""

    code = "config"


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
    ) -> None:
        super().__init__(message)
        self.last_output = last_output
        self.attempts = attempts
        self.usage = usage

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
