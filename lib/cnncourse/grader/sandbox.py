"""OS isolation for the student's kernel: bubblewrap, an unprivileged uid, no network.

The grader (nbgrader, the gradebook, the master) stays outside; only the kernel, which runs the
student's code, is sandboxed. Inside, the kernel sees:

- ``/job``: the submission's working folder (read-write; its working directory),
- ``/ipc``: the ZMQ ``ipc`` sockets and its connection file (the grader talks to it through
  them; there is no network, not even to 127.0.0.1 outside),
- ``/tmp`` and its home ``/home/student``: its own, empty, size-limited,
- read-only: the Python environment (the venv and its base interpreter), the ``cnncourse``
  package the grader runs, ``/usr`` and a few files of ``/etc`` that programs need.

Nothing else of the machine: not the instructor's repository, not the job's gradebook (which
holds the hidden tests), not other jobs. It runs in its own PID, IPC, UTS and network
namespaces, with ``no_new_privs``, under a process limit; when the grader runs as root, the
kernel runs as an unprivileged uid of its own (one per kernel, from ``UID_BASE``), because
``RLIMIT_NPROC`` does not apply to uid 0, and a uid of its own keeps kernels apart (and lets the
grader end everything a kernel left running). The command line itself is
:mod:`cnncourse.grader.bwrap`.

Use: :func:`resolve` turns ``--isolation auto|required|none`` into what will be used, and
:class:`SandboxedKernelManager` is the kernel manager to give nbclient/nbgrader's ``Execute``
(``kernel_manager_class``). See ``docs/isolation.md`` for what this stops and what it does not.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Float, Int, Unicode, default

from cnncourse.grader import forkbomb
from cnncourse.grader.bwrap import (
    DEFAULT_TMP_MB,
    HOME,
    IPC,
    Layout,
    command,
    default_max_processes,
    kernel_env,
    namespace_args,
)

ISOLATION_MODES = ("auto", "required", "none")
BUBBLEWRAP = "bubblewrap"  # the name recorded in results when the sandbox is used
NONE = "none"
ZYGOTE_VARIABLE = "CNN_GRADER_ZYGOTE"  # the socket of the batch's zygote, in a job's environment
ZYGOTE_MODULE = "cnncourse.grader.zygote"
UID_BASE = 200_000_000  # sandbox uids: UID_BASE + 64 * the grader's pid + its kernel count


class SandboxUnavailable(ValueError):
    """Isolation was required but this machine cannot provide it (a ValueError: the option
    ``--isolation required`` cannot be honoured here)."""


@functools.cache
def problem() -> str:
    """Why this machine cannot sandbox a kernel ('' when it can). Runs bubblewrap once."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return (
            "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap; "
            "Fedora: dnf install bubblewrap)"
        )
    tools = ("setpriv", "prlimit") if os.geteuid() == 0 else ("prlimit",)
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} (util-linux) not found"
    probe = [bwrap, *namespace_args(), "--ro-bind", "/", "/", "--proc", "/proc"]
    probe += ["--dev", "/dev", "--", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as failure:
        return f"bubblewrap did not run ({failure})"
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return (
            f"bubblewrap cannot create namespaces here ({reason[0]}); in a container, allow "
            "user namespaces or run the grader as root in a privileged container"
        )
    return ""


def resolve(isolation: str) -> tuple[str, str]:
    """``(used, note)`` for ``--isolation``: ``used`` is ``"bubblewrap"`` or ``"none"``;
    ``note`` says why there is no isolation ('' when it is used or was turned off).

    Raises ``ValueError`` for an unknown mode and :class:`SandboxUnavailable` when isolation
    is ``required`` and the machine cannot provide it.
    """
    if isolation not in ISOLATION_MODES:
        raise ValueError(
            f"unknown isolation {isolation!r}; use one of {', '.join(ISOLATION_MODES)}"
        )
    if isolation == "none":
        return NONE, ""
    why = problem()
    if not why:
        return BUBBLEWRAP, ""
    if isolation == "required":
        raise SandboxUnavailable(
            f"--isolation required, but the kernel cannot be sandboxed: {why}. Install "
            "bubblewrap, or pass --isolation none to grade without OS isolation."
        )
    return NONE, (
        f"no OS isolation: {why}. Student code could read the master and the hidden tests; "
        "install bubblewrap (or pass --isolation required to refuse to grade without it)."
    )


def sandbox_uid() -> int | None:
    """A uid for the next kernel, its own, when the grader runs as root (else None): another
    kernel's left-over processes then never count against its process limit."""
    if os.geteuid() != 0:
        return None
    return UID_BASE + (os.getpid() % 2**22) * 64 + next(_KERNELS) % 64


_KERNELS = itertools.count()


def end_processes(uid: int, rounds: int = 5) -> int:
    """SIGKILL every process that runs as ``uid`` (a sandbox's); how many were found."""
    found = 0
    for _ in range(rounds):
        pids = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if
                process_uid(pid) == uid]  # fmt: skip
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        found += len(pids)
        if not pids:
            break
    return found


def process_uid(pid: int) -> int | None:
    """The real uid of process ``pid`` (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def prepare(folder: Path, job: Path, uid: int | None) -> tuple[Path, Path]:
    """Make ``folder/ipc`` and ``folder/home`` for a kernel whose working folder is ``job``;
    hand them (and ``job``) to ``uid``. Returns ``(ipc, home)``."""
    ipc, home = folder / "ipc", folder / "home"
    for path in (ipc, home):
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)
    seed_matplotlib_cache(home)
    if uid is not None:
        for path in (ipc, home, job):
            for place in [path, *path.rglob("*")]:
                os.lchown(place, uid, uid)
    return ipc, home


def seed_matplotlib_cache(home: Path) -> None:
    """Copy the grader's matplotlib font cache into the kernel's home, so that matplotlib
    does not rebuild it (and warn on stderr, which costs a test cell its points)."""
    candidates = [os.environ.get("MPLCONFIGDIR", ""), "~/.cache/matplotlib", "~/.matplotlib"]
    for candidate in filter(None, candidates):
        for source in Path(candidate).expanduser().glob("fontlist-*.json"):
            target = home / ".cache" / "matplotlib" / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)


def extra_readonly(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Data the course reads that the kernel may see: a local MNIST file named by
    ``CNN_COURSE_MNIST`` (same path) and Keras's cached MNIST (under the sandbox home)."""
    from cnncourse import data

    binds = []
    named = environ.get(data.MNIST_PATH_VARIABLE, "")
    if named and os.path.isfile(named):
        binds.append((os.path.realpath(named), os.path.abspath(named)))
    cache = data.keras_mnist_cache()
    if cache.is_file() and not environ.get("KERAS_HOME"):
        binds.append((str(cache.resolve()), f"{HOME}/.keras/datasets/mnist.npz"))
    return tuple(binds)


def given_zygote() -> str:
    """The socket of the zygote this process was given (``CNN_GRADER_ZYGOTE``: a batch's), or
    '' (none, or the grader is not root: only root can fork sandboxed kernels)."""
    return os.environ.get(ZYGOTE_VARIABLE, "") if os.geteuid() == 0 else ""


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside :func:`command`'s sandbox.

    It talks to the kernel over ZMQ ``ipc`` sockets in a folder both sides see. The kernel's
    working folder is the ``cwd`` nbclient passes (nbgrader: the submission's folder); when
    the grader runs as root it is handed to the sandbox uid. Interrupts go as messages (a
    signal cannot reach a process in another PID namespace).
    """

    sandbox_folder = Unicode(
        "", config=True, help="Folder for the sockets and the kernel's home (default: a new one)."
    )
    max_processes = Int(
        0, config=True, help="Processes and threads the kernel may have (0: the default)."
    )
    memory_mb = Int(0, config=True, help="Data memory per kernel process, MB (0: inherited).")
    tmp_mb = Int(DEFAULT_TMP_MB, config=True, help="Size of the kernel's /tmp and home, in MB.")
    # jupyter_client waits half of this for the kernel to exit after the shutdown request, then
    # sends SIGTERM (default 5 s). A graded kernel has nothing to save by then, and one that is
    # still busy (a fork bomb's processes spinning until the sandbox is ended) holds the cores.
    shutdown_wait_time = Float(
        1.0, config=True, help="Seconds to wait for the kernel to end after a shutdown request."
    )
    zygote = Unicode(
        config=True,
        help="Socket of a zygote to fork the kernel from (cnncourse.grader.zygote; default: "
        "the environment's CNN_GRADER_ZYGOTE; '' starts each kernel in bubblewrap).",
    )

    @default("zygote")
    def _default_zygote(self) -> str:
        return given_zygote()

    _made_folder = Unicode("")
    _layout: Any = None
    _watch: Any = None  # this kernel's fork-bomb watch (stopped, not dropped, at clean-up)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel spec's command, pointed at the inside connection file, in the sandbox."""
        layout = self._sandbox_layout()
        kernel = super().format_kernel_cmd(extra_arguments)
        outside = os.path.realpath(self.connection_file)
        inside = f"{IPC}/kernel.json"
        info = dict(self.get_connection_info(), ip=f"{IPC}/kernel")
        info = {k: v.decode() if isinstance(v, bytes) else v for k, v in info.items()}
        target = layout.ipc / "kernel.json"
        target.write_text(json.dumps(info))
        if layout.uid is not None:
            os.chown(target, layout.uid, layout.uid)
        self.kernel_spec.interrupt_mode = "message"
        kernel = [inside if arg == outside else arg for arg in kernel]
        if kernel[1:4] == ["-m", ZYGOTE_MODULE, "kernel"]:  # a spec forking from a plain zygote
            kernel = [kernel[0], "-m", "ipykernel_launcher", *kernel[4:]]
        if self.zygote and kernel[1:3] == ["-m", "ipykernel_launcher"]:
            return self._zygote_command(layout, kernel[3:])
        return command(layout, kernel, os.environ)

    def _zygote_command(self, layout: Layout, arguments: list[str]) -> list[str]:
        """The launcher that asks the zygote for this kernel (ipykernel with ``arguments``)."""
        request = {
            "socket": self.zygote,
            "argv": arguments,
            "env": kernel_env(os.environ),
            "uid": layout.uid,
            "processes": layout.max_processes,
            "data": layout.memory_mb * 2**20,
            "tmp_bytes": layout.tmp_mb * 2**20,
            "job": str(layout.job),
            "ipc": str(layout.ipc),
            "home": str(layout.home),
        }
        path = layout.ipc.parent / "zygote-request.json"
        path.write_text(json.dumps(request))
        return [sys.executable, "-m", ZYGOTE_MODULE, "launch", str(path)]

    def _sandbox_layout(self) -> Layout:
        """Folders for this kernel (made on first use) and its limits."""
        if self._layout is None:
            folder = self.sandbox_folder or self._made_folder
            if not folder:
                folder = self._made_folder = tempfile.mkdtemp(prefix="cnncourse-sandbox-")
            cwd = (self._launch_args or {}).get("cwd") or os.path.join(folder, "job")
            os.makedirs(cwd, exist_ok=True)
            uid = sandbox_uid()
            ipc, home = prepare(Path(folder), Path(cwd), uid)
            self._layout = Layout(
                job=Path(cwd),
                ipc=ipc,
                home=home,
                uid=uid,
                max_processes=self.max_processes or default_max_processes(),
                memory_mb=self.memory_mb,
                tmp_mb=self.tmp_mb,
                readonly=extra_readonly(os.environ),
            )
        return self._layout

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        """Make the sandbox's folders and point the connection (ipc) at them, then start."""
        self._layout = None
        self._launch_args = kw.copy()
        layout = self._sandbox_layout()
        self.transport = "ipc"
        self.ip = str(layout.ipc / "kernel")
        self.connection_file = str(layout.ipc.parent / "connection.json")
        return await super()._async_pre_start_kernel(**kw)

    def ended_why(self) -> str:
        """Why the sandbox ended the kernel itself ('' if it did not): the grader reads it
        when it finds the kernel dead (:mod:`cnncourse.grader.forkbomb`)."""
        return self._watch.ended if self._watch is not None else ""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        """Start the kernel, and a watch that ends it at once if it turns into a fork bomb
        (only with a uid of its own)."""
        self._watch = None
        await super()._async_launch_kernel(kernel_cmd, **kw)
        layout = self._sandbox_layout()
        if layout.uid is not None:
            self._watch = forkbomb.Watch(layout.uid, layout.max_processes, end_processes)
            self._watch.start()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """End whatever the kernel left running; remove the sockets and the folder this
        manager made."""
        if self._watch is not None:
            self._watch.stop()
        if self._layout is not None and self._layout.uid is not None:
            end_processes(self._layout.uid)
        await super()._async_cleanup_resources(restart)
        if self._made_folder and not restart:
            shutil.rmtree(self._made_folder, ignore_errors=True)


def make_kernel_manager(executor: Any, isolation: str) -> tuple[None, str]:
    """The grader's seam (:func:`cnncourse.grader.execute.make_kernel_manager`): have
    ``executor`` (nbclient/nbgrader's ``Execute``) start its kernel in the sandbox when
    ``isolation`` asks for it and the machine can. Returns ``(None, isolation used)``: nbclient
    makes the kernel manager itself, of the class set here, with the right kernel name.

    The sandbox's folders go next to the kernel's working folder (``kernel_cwd``), so that the
    job's temporary folder holds (and removes) them.
    """
    used, note = resolve(isolation)
    if note:
        executor.log.warning("%s", note)
    if used == BUBBLEWRAP:
        executor.kernel_manager_class = SandboxedKernelManager
        cwd = getattr(executor, "kernel_cwd", "")
        folder = os.path.join(os.path.dirname(os.path.abspath(cwd)), "sandbox") if cwd else ""
        executor.config.SandboxedKernelManager.sandbox_folder = folder
    return None, used
