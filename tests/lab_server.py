"""A real JupyterLab server for tests: started on localhost with a random token, always stopped.

Named ``lab_server`` (not ``jupyter_server``) so that it never shadows the ``jupyter_server``
package on the tests' ``sys.path``.

``lab_server(root_dir, state_dir)`` is a context manager that starts ``python -m jupyterlab``
from the running interpreter (the course's venv) on a free port of 127.0.0.1, waits until
``GET /api/status`` answers, yields a :class:`LabServer`, and on exit (also after a failure)
stops the server and every process it started (kernels included). The server is kept quiet
and offline: no browser, no news or update checks, a read-only extension manager, and its
config, runtime, settings and IPython folders all under ``state_dir``. ``extra_args`` adds
command-line options (the tests pass the ones ``make lab`` uses: the course's JupyterLab
settings, and ``--allow-root`` where the user is root).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

# Flags that keep JupyterLab 4 offline and quiet. `news_url=None` and NeverCheckForUpdate stop
# the server fetching the Jupyter news feed and the latest version; the read-only extension
# manager never asks PyPI; jupyter-lsp does not probe for language servers. (Notebooks opened
# in the browser still start their kernel: without one the ipywidgets manager throws.) The
# front end's "notified about official Jupyter news?" pop-up is turned off by the settings the
# course ships (jupyter/lab-settings), which `make lab` passes; so is --allow-root as root.
QUIET_OFFLINE_FLAGS = (
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    "--ServerApp.allow_remote_access=False",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
    "--LanguageServerManager.autodetect=False",
)


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab server: its base URL, token, root folder and log file."""

    url: str
    token: str
    root_dir: Path
    log_path: Path
    pid: int

    def request(
        self, method: str, path: str, body: Any = None, timeout: float = 30.0
    ) -> tuple[int, bytes]:
        """Send one authenticated HTTP request to the server; return (status, body bytes).

        HTTP error statuses are returned, not raised. Proxies from the environment are ignored.
        """
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/{path.lstrip('/')}", data=data, method=method)
        if self.token:
            req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
        """Send a request that must succeed (2xx) and return its JSON body (None if empty)."""
        status, content = self.request(method, path, body, timeout)
        if not 200 <= status < 300:
            raise AssertionError(
                f"{method} {path} answered HTTP {status}: {content[:500]!r}\n"
                f"Server log tail:\n{log_tail(self.log_path)}"
            )
        return json.loads(content) if content else None

    def ws_url(self, path: str) -> str:
        """The websocket URL of a server path, with the token as query parameter."""
        return f"{self.url.replace('http://', 'ws://', 1)}/{path.lstrip('/')}?token={self.token}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file ('' if it does not exist)."""
    if not path.is_file():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def server_environment(state_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: this one, fast course mode, Jupyter state under state_dir;
    the kernels are started as a student's are (not forked from the suite's zygote)."""
    env = dict(os.environ)
    for name in ("JUPYTER_PATH", "CNN_KERNEL_ZYGOTE"):
        env.pop(name, None)
    env.update(
        {
            "CNN_COURSE_MODE": "fast",
            "JUPYTER_CONFIG_DIR": str(state_dir / "config"),
            "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime"),
            "IPYTHONDIR": str(state_dir / "ipython"),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    env.update(extra or {})
    return env


def wait_until_ready(server: LabServer, process: subprocess.Popen, timeout: float) -> None:
    """Poll GET /api/status until it answers 200; fail with the log if the server dies/stalls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {process.returncode} before it was ready.\n"
                f"Server log tail:\n{log_tail(server.log_path)}"
            )
        try:
            status, _ = server.request("GET", "api/status", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"JupyterLab did not answer GET /api/status within {timeout:.0f} s.\n"
        f"Server log tail:\n{log_tail(server.log_path)}"
    )


def stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop the server and every process it started, kernels included.

    SIGTERM lets Jupyter shut its kernels down; anything still alive after ``grace`` seconds
    (the server's process group, and its descendants: kernels run in sessions of their own) is
    killed.
    """
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
    _, alive = psutil.wait_procs(descendants, timeout=5)
    for child in alive:
        try:
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=5)


@contextmanager
def lab_server(
    root_dir: Path,
    state_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    startup_timeout: float = 90.0,
    extra_args: Sequence[str] = (),
) -> Iterator[LabServer]:
    """Run ``jupyter lab`` on ``root_dir`` (no browser, random token, free port); always stop it.

    ``state_dir`` receives the server's log (``jupyterlab.log``) and its Jupyter config,
    runtime and IPython folders, so nothing is written to the user's ~/.jupyter.
    """
    root_dir = Path(root_dir).resolve()
    if not root_dir.is_dir():
        raise FileNotFoundError(f"JupyterLab root folder {root_dir} does not exist.")
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    env = server_environment(state_dir, extra_env)
    token = secrets.token_hex(24)
    port = free_port()
    log_path = state_dir / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        *QUIET_OFFLINE_FLAGS,
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        *extra_args,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path, process.pid)
    try:
        wait_until_ready(server, process, startup_timeout)
        yield server
    finally:
        stop(process)


def execute(server: LabServer, kernel_id: str, codes: list[str], timeout: float = 180.0) -> list:
    """Run code strings one by one in a server kernel over its websocket channel.

    Returns one dict per code: ``status`` of the execute_reply ('ok' or 'error'), ``stdout``,
    ``stderr``, ``error`` (ename: evalue, or '') and ``outputs`` (the iopub messages' types).
    Stops after the first code that fails.
    """
    import websocket  # websocket-client, installed with jupyter_server

    session = secrets.token_hex(16)
    ws = websocket.create_connection(server.ws_url(f"api/kernels/{kernel_id}/channels"), timeout=5)
    results = []
    try:
        for code in codes:
            msg_id = secrets.token_hex(16)
            ws.send(json.dumps(_execute_request(code, msg_id, session)))
            result = {"status": None, "stdout": "", "stderr": "", "error": "", "outputs": []}
            idle = False
            deadline = time.monotonic() + timeout
            while result["status"] is None or not idle:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"The kernel did not finish within {timeout:.0f} s:\n{code}")
                try:
                    message = json.loads(ws.recv())
                except websocket.WebSocketTimeoutException:
                    continue
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if message["channel"] == "shell" and kind == "execute_reply":
                    result["status"] = content["status"]
                elif kind == "status":
                    idle = content["execution_state"] == "idle"
                elif kind == "stream":
                    result[content["name"]] += content["text"]
                elif kind == "error":
                    result["error"] = f"{content['ename']}: {content['evalue']}"
                if message["channel"] == "iopub" and kind != "status":
                    result["outputs"].append(kind)
            results.append(result)
            if result["status"] != "ok":
                break
    finally:
        ws.close()
    return results


def _execute_request(code: str, msg_id: str, session: str) -> dict:
    """A Jupyter messaging protocol 5.3 execute_request for the kernel's shell channel."""
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "session": session,
            "username": "test",
            "version": "5.3",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        "channel": "shell",
        "buffers": [],
    }
