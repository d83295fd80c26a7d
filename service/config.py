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
        if "cache_enabled" in values and isinstance(values["cache_enabled"], str):
            values["cache_enabled"] = values["cache_enabled"].lower() not in ("0", "false", "no")
        try:
            settings = cls.model_validate(values)
        except ValidationError as e:
            raise ConfigError(f"invalid settings: {e}") from e
        if settings.chunk_overlap >= settings.chunk_chars // 2:
            raise ConfigError("chunk_overlap must be less than half of chunk_chars")
        return settings

    @property
    def embedded(self) -> bool:
        """No endpoint configured: claimstance serves a local model itself."""
        return self.base_url is None and (self.api_key is None or self.model_path is not None)

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
