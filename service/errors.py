"""Typed errors. Callers catch ``ClaimstanceError`` for anything this package raises on purpose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimstance.schemas.models import Usage


class ClaimstanceError(Exception):
    """Base of every error claimstance raises deliberately."""

    #: Short machine-readable name, stable across releases (used in batch error logs).
    code = "error"

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
    """The LLM endpoint failed. ``retryable`` says whether trying later may help."""

    code = "provider"

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


class GroundingError(ClaimstanceError):
    """A string the model returned cannot be located in the article text."""

    code = "grounding"

    def __init__(self, message: str, *, needle: str = "", best_score: float = 0.0) -> None:
        super().__init__(message)
        self.needle = needle
        self.best_score = best_score
