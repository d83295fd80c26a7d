"""``claimstance serve``'s own checks, before uvicorn starts."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from claimstance.cli.serve import serve as serve_command
from claimstance.config import Settings
from claimstance.errors import ConfigError
from claimstance.server import run


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(serve_command)
    return app


def test_an_unknown_log_level_is_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setattr(run, "serve", lambda settings, **options: started.append("served"))
    result = CliRunner().invoke(_cli(), ["--log-level", "foo"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "KeyError" not in result.output
    assert "foo" in result.output and "debug" in result.output
    assert started == []
    ok = CliRunner().invoke(_cli(), ["--log-level", "DEBUG"], env={"OPENAI_API_KEY": "sk-x"})
    assert ok.exit_code == 0, ok.output
    assert started == ["served"]


def test_several_workers_with_the_embedded_model_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env({}, cache_dir=tmp_path, state_dir=tmp_path)
    assert settings.embedded
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("uvicorn started"))
    with pytest.raises(ConfigError, match="--workers 2") as refused:
        run.serve(settings, workers=2, say=lambda line: None)
    assert "\n" not in str(refused.value)
