"""Settings: one frozen object, built from the environment and explicit arguments.

This module is the only reader of the environment. Everything else receives a
``Settings`` value, so a test or a batch job can run with settings that differ from the
process environment without touching it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from claimstance.errors import ConfigError

StrategyChoice = Literal["auto", "article", "guided"]
LLMMode = Literal["auto", "tools", "json_schema", "json"]

DEFAULT_REMOTE_MODEL = "gpt-4o-mini"
EMBEDDED_MODEL_NAME = "smollm2-135m-instruct"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "claimstance"


def _default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "claimstance"


#: Environment variable -> (field, description). The README's configuration table mirrors it.
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "OPENAI_API_KEY": ("api_key", "API key for a remote OpenAI-compatible endpoint."),
    "OPENAI_BASE_URL": ("base_url", "Endpoint URL, e.g. http://localhost:11434/v1 (Ollama)."),
    "CLAIMSTANCE_API_KEY": ("api_key", "Overrides OPENAI_API_KEY for claimstance only."),
    "CLAIMSTANCE_BASE_URL": ("base_url", "Overrides OPENAI_BASE_URL for claimstance only."),
    "CLAIMSTANCE_MODEL": ("model", "Model name sent to the endpoint."),
    "CLAIMSTANCE_MODEL_PATH": ("model_path", "A local GGUF file to serve instead of the default."),
    "CLAIMSTANCE_STRATEGY": ("strategy", "auto (guided for the embedded model), article, guided."),
    "CLAIMSTANCE_LLM_MODE": ("llm_mode", "auto, tools, json_schema or json structured output."),
    "CLAIMSTANCE_CACHE_DIR": ("cache_dir", "Where responses are cached."),
    "CLAIMSTANCE_CACHE": ("cache_enabled", "0 disables the response cache."),
    "CLAIMSTANCE_TEMPERATURE": ("temperature", "Sampling temperature."),
    "CLAIMSTANCE_MAX_TOKENS": ("max_tokens", "Completion token limit per call."),
    "CLAIMSTANCE_TIMEOUT": ("timeout", "Seconds before one HTTP request times out."),
    "CLAIMSTANCE_TRANSPORT_RETRIES": ("transport_retries", "Retries on 429, 5xx and timeouts."),
    "CLAIMSTANCE_MAX_REASKS": ("max_reasks", "Re-asks after output fails validation."),
    "CLAIMSTANCE_CHUNK_CHARS": ("chunk_chars", "Article strategy: characters per chunk."),
    "CLAIMSTANCE_CHUNK_OVERLAP": ("chunk_overlap", "Article strategy: overlap between chunks."),
    "CLAIMSTANCE_FUZZY_THRESHOLD": ("fuzzy_threshold", "Minimum similarity for a fuzzy match."),
    "CLAIMSTANCE_CONCURRENCY": ("concurrency", "Parallel LLM calls within one article."),
    "CLAIMSTANCE_STANCE_METHOD": (
        "stance_method",
        "auto, model, combined or lexicon (auto: combined for the embedded default model; "
        "combined needs a /v1/completions endpoint).",
    ),
    "CLAIMSTANCE_MAX_ARTICLE_CHARS": (
        "max_article_chars",
        "Longer articles are refused (an InputError) instead of costing hundreds of calls.",
    ),
    "CLAIMSTANCE_LOCAL": (
        "local",
        "1 uses the embedded model even when OPENAI_API_KEY or a base URL is set.",
    ),
    "CLAIMSTANCE_API_TOKEN": (
        "api_token",
        "serve: the bearer token clients must send; without one, serve binds to loopback only.",
    ),
    "CLAIMSTANCE_STATE_DIR": ("state_dir", "serve: where jobs and their results are kept."),
    "CLAIMSTANCE_MAX_BODY_BYTES": ("max_body_bytes", "serve: larger request bodies get 413."),
    "CLAIMSTANCE_REQUEST_TIMEOUT": (
        "request_timeout",
        "serve: seconds one /v1/extract request may take before it gets 504.",
    ),
    "CLAIMSTANCE_MAX_IN_FLIGHT": (
        "max_in_flight",
        "serve: extract requests handled at once; more get 503 with Retry-After.",
    ),
    "CLAIMSTANCE_RECORD": (
        "record_dir",
        "Write every LLM exchange of the run into this directory (--record); no cache.",
    ),
    "CLAIMSTANCE_REPLAY": (
        "replay_dir",
        "Answer every LLM request from this recording (--replay): no model, no network.",
    ),
    "CLAIMSTANCE_N_CTX": ("n_ctx", "Embedded model: context window in tokens."),
    "CLAIMSTANCE_N_THREADS": ("n_threads", "Embedded model: CPU threads (default: all cores)."),
}


class Settings(BaseModel):
    """Immutable configuration; build it with ``Settings.from_env(**overrides)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str | None = Field(None, description="None picks a default for the backend.")
    model_path: Path | None = None
    strategy: StrategyChoice = "auto"
    llm_mode: LLMMode = "auto"
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    cache_enabled: bool = True
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(4096, ge=16)
    timeout: float = Field(120.0, gt=0)
    transport_retries: int = Field(5, ge=0, le=20)
    max_reasks: int = Field(2, ge=0, le=10)
    chunk_chars: int = Field(6000, ge=500)
    chunk_overlap: int = Field(800, ge=0)
    fuzzy_threshold: float = Field(0.9, gt=0.5, le=1.0)
    concurrency: int = Field(4, ge=1, le=256)
    stance_method: Literal["auto", "model", "combined", "lexicon"] = "auto"
    max_article_chars: int = Field(1_000_000, ge=1)
    local: bool = False
    api_token: SecretStr | None = None
    state_dir: Path = Field(default_factory=_default_state_dir)
    max_body_bytes: int = Field(64 * 2**20, ge=1024)
    request_timeout: float = Field(600.0, gt=0)
    max_in_flight: int = Field(64, ge=1, le=100_000)
    record_dir: Path | None = None
    replay_dir: Path | None = None
    n_ctx: int = Field(4096, ge=512)
    n_threads: int | None = Field(None, ge=1)

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Environment first, then explicit overrides (``None`` means 'not given')."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (field, _) in ENVIRONMENT.items():
            raw = env.get(name)
            if raw is not None and raw != "":
                values[field] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        for flag in ("cache_enabled", "local"):
            if isinstance(values.get(flag), str):
                values[flag] = values[flag].strip().lower() not in ("0", "false", "no", "")
        try:
            settings = cls.model_validate(values)
        except ValidationError as e:
            raise ConfigError(_readable(e)) from None
        if settings.record_dir is not None and settings.replay_dir is not None:
            raise ConfigError("--record and --replay cannot be used together")
        if settings.chunk_overlap >= settings.chunk_chars // 2:
            raise ConfigError("chunk_overlap must be less than half of chunk_chars")
        return settings

    @property
    def embedded(self) -> bool:
        """No endpoint configured (or ``local``): claimstance serves a local model itself."""
        if self.local:
            return True
        return self.base_url is None and (self.api_key is None or self.model_path is not None)

    def describe_endpoint(self) -> str:
        """One line for the user: which model answers, and where."""
        if self.embedded:
            where = self.model_path or "the packaged GGUF"
            return f"model {self.resolved_model}, embedded (local llama.cpp server on {where})"
        return f"model {self.resolved_model} at {self.endpoint_family}"

    @property
    def resolved_model(self) -> str:
        if self.model:
            return self.model
        if self.embedded:
            return self.model_path.stem if self.model_path else EMBEDDED_MODEL_NAME
        return DEFAULT_REMOTE_MODEL

    @property
    def resolved_stance_method(self) -> Literal["model", "combined", "lexicon"]:
        """How the guided strategy decides stances. The embedded SmolLM2-135M's answer
        separates favor from against too weakly to decide alone, so by default it is
        combined with the lexicon (README, Stance); any other model decides itself."""
        if self.stance_method != "auto":
            return self.stance_method
        return "combined" if self.embedded and self.model_path is None else "model"

    @property
    def resolved_strategy(self) -> Literal["article", "guided"]:
        if self.strategy != "auto":
            return self.strategy
        return "guided" if self.embedded else "article"

    @property
    def endpoint_family(self) -> str:
        """The endpoint's identity for caching: a local server's random port is not part of it."""
        if self.embedded:
            return f"embedded:{self.model_path or EMBEDDED_MODEL_NAME}"
        if self.base_url is None:
            return "https://api.openai.com/v1"
        parts = urlsplit(self.base_url)
        host = parts.netloc.rpartition("@")[2]  # never the credentials of a URL
        return f"{parts.scheme}://{host}{parts.path}"


def _readable(error: ValidationError) -> str:
    """One line per bad setting, naming it and the value given, not a pydantic dump."""
    names = {field: env for env, (field, _) in ENVIRONMENT.items() if env.startswith("CLAIM")}
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        given = item.get("input")
        secret = isinstance(given, dict) or field in ("api_key", "api_token")
        shown = "" if secret else f" = {given!r}"
        env = f" ({names[field]})" if field in names else ""
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{field}{env}{shown}: {message}")
    return "invalid setting " + "; ".join(problems)


def export_environment(settings: Settings) -> None:
    """Put ``settings`` into this process's environment, for child processes that build
    their own from it (``serve --workers``: uvicorn's worker processes)."""
    for name, (field, _) in ENVIRONMENT.items():
        if name.startswith("OPENAI_"):
            continue  # the CLAIMSTANCE_ names override them
        value = getattr(settings, field)
        if value is None:
            os.environ.pop(name, None)
        elif isinstance(value, SecretStr):
            os.environ[name] = value.get_secret_value()
        elif isinstance(value, bool):
            os.environ[name] = "1" if value else "0"
        else:
            os.environ[name] = str(value)
