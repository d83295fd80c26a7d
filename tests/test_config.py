from __future__ import annotations

import ast
from pathlib import Path

import pytest

from claimstance.config import ENVIRONMENT, Settings
from claimstance.errors import ConfigError
from tests.support.paths import ROOT


def test_environment_then_overrides(tmp_path: Path) -> None:
    env = {
        "OPENAI_API_KEY": "sk-x",
        "CLAIMSTANCE_MODEL": "m1",
        "CLAIMSTANCE_CACHE_DIR": str(tmp_path),
        "CLAIMSTANCE_CACHE": "0",
        "CLAIMSTANCE_MAX_REASKS": "3",
    }
    settings = Settings.from_env(env, model="m2", base_url=None)
    assert settings.model == "m2" and settings.max_reasks == 3
    assert settings.cache_enabled is False and settings.cache_dir == tmp_path
    assert not settings.embedded and settings.resolved_strategy == "article"
    assert settings.endpoint_family == "https://api.openai.com/v1"


def test_no_key_no_url_means_embedded_and_guided() -> None:
    settings = Settings.from_env({})
    assert settings.embedded and settings.resolved_strategy == "guided"
    assert settings.resolved_model == "smollm2-135m-instruct"


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(ValueError):
        settings.model = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "env",
    [
        {"OPENAI_BASE_URL": "localhost:8080"},
        {"CLAIMSTANCE_MAX_REASKS": "many"},
        {"CLAIMSTANCE_STRATEGY": "magic"},
    ],
)
def test_bad_values_are_config_errors(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env(env)


def test_every_environment_variable_names_a_field() -> None:
    for field, _ in ENVIRONMENT.values():
        assert field in Settings.model_fields


def _reads_environment(source: str) -> bool:
    """Whether a module touches os.environ / os.getenv / os.putenv, however it imports them."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ENV_NAMES:
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ENV_NAMES for alias in node.names)
        ):
            return True
    return False


ENV_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def test_the_only_environment_reader() -> None:
    """Only claimstance.config reads the environment (every module of the package)."""
    root = ROOT / "service"
    readers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if _reads_environment(p.read_text(encoding="utf-8"))
    )
    assert readers == ["config.py"]


def test_the_environment_check_sees_every_spelling() -> None:
    assert _reads_environment("import os\nos.environ.get('X')")
    assert _reads_environment("from os import getenv\ngetenv('X')")
    assert _reads_environment("import os as o\no.getenv('X')")
    assert not _reads_environment("import os\nos.path.join('a')")
