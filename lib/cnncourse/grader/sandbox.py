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
kernel runs as an unprivileged uid of its own (``UID_BASE`` + the job's pid), because
``RLIMIT_NPROC`` does not apply to uid 0 and the uid keeps jobs apart.

Use: :func:`resolve` turns ``--isolation auto|required|none`` into what will be used, and
:class:`SandboxedKernelManager` is the kernel manager to give nbclient/nbgrader's ``Execute``
(``kernel_manager_class``). See ``docs/isolation.md`` for what this stops and what it does not.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Int, Unicode

ISOLATION_MODES = ("auto", "required", "none")
BUBBLEWRAP = "bubblewrap"  # the name recorded in results when the sandbox is used
NONE = "none"
UID_BASE = 200_000_000  # sandbox uids: UID_BASE + the grading process's pid (unique per job)
JOB, IPC, HOME = "/job", "/ipc", "/home/student"
DEFAULT_TMP_MB = 512
# Files of /etc that ordinary programs read (the dynamic linker's cache, fonts, time zone).
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/fonts",
    "/etc/alternatives",
    "/etc/mime.types",
    "/etc/nsswitch.conf",
)
# Environment variables the kernel keeps (by prefix); every other one is dropped.
ENV_PREFIXES = (
    "CNN_COURSE_",
    "NBGRADER_",
    "TF_CPP_",
    "TF_ENABLE_",
    "TF_NUM_",
    "TF_FORCE_GPU",
    "TF_GPU_",
    "KERAS_BACKEND",
    "OMP_",
    "MKL_",
    "OPENBLAS_",
    "MPLBACKEND",
    "JPY_",
    "PYDEVD_",
    "LANG",
    "LC_",
    "TZ",
    "ABSL_",
    "GRPC_",
)


class SandboxUnavailable(ValueError):
    """Isolation was required but this machine cannot provide it (a ValueError: the option
    ``--isolation required`` cannot be honoured here)."""


def default_max_processes() -> int:
    """Processes and threads the kernel may have (TensorFlow starts about two per core)."""
    return max(256, 16 * (os.cpu_count() or 1))


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


def namespace_args() -> list[str]:
    """bubblewrap's namespace options: everything but the user namespace when run as root
    (the kernel then drops to its own uid), everything when not."""
    common = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    common += ["--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    return common if os.geteuid() == 0 else ["--unshare-user", "--disable-userns", *common]


@dataclass(frozen=True)
class Layout:
    """What one sandboxed kernel sees, and its limits. Paths are outside paths."""

    job: Path  # the kernel's working folder, mounted read-write at /job
    ipc: Path  # sockets and the kernel's connection file, read-write at /ipc
    home: Path  # its home, read-write at /home/student
    uid: int | None  # the uid it runs as (None: the grader's own, in a user namespace)
    max_processes: int = field(default_factory=default_max_processes)
    memory_mb: int = 0  # data memory of each process (0: what the grader's process has)
    tmp_mb: int = DEFAULT_TMP_MB
    readonly: tuple[tuple[str, str], ...] = ()  # extra (outside, inside) read-only binds


def python_binds() -> list[list[str]]:
    """bubblewrap options that give the kernel this Python environment, read-only, at the
    same paths: the venv (and a link where it is reached through one), the base interpreter
    and the ``cnncourse`` package (alone, not the repository around it)."""
    import cnncourse

    args: list[list[str]] = []
    seen: set[str] = set()
    for prefix in dict.fromkeys([sys.prefix, sys.base_prefix, sys.exec_prefix]):
        real = os.path.realpath(prefix)
        if real not in seen:
            seen.add(real)
            args.append(["--ro-bind", real, real])
        if os.path.abspath(prefix) != real:
            args.append(["--symlink", real, os.path.abspath(prefix)])
    package = os.path.realpath(os.path.dirname(cnncourse.__file__))
    args.append(["--ro-bind", package, package])
    return args


def system_binds() -> list[list[str]]:
    """bubblewrap options for /usr, the merged-/usr links and the few /etc files needed."""
    args = [["--ro-bind", "/usr", "/usr"]]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args.append(["--symlink", os.readlink(top), top])
        elif os.path.isdir(top):
            args.append(["--ro-bind", top, top])
    args += [["--ro-bind", path, path] for path in ETC_FILES if os.path.exists(path)]
    return args


def kernel_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The kernel's environment: the course's and numeric libraries' variables from
    ``environ``, and paths that exist inside the sandbox."""
    import cnncourse

    env = {k: v for k, v in environ.items() if k.startswith(ENV_PREFIXES)}
    venv_bin = os.path.join(os.path.abspath(sys.prefix), "bin")
    env.update(
        PATH=f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        HOME=HOME,
        TMPDIR="/tmp",
        USER="student",
        LOGNAME="student",
        PYTHONPATH=os.path.dirname(os.path.realpath(os.path.dirname(cnncourse.__file__))),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def command(layout: Layout, kernel: list[str], environ: Mapping[str, str]) -> list[str]:
    """The full command that runs ``kernel`` (an argv using inside paths) in the sandbox."""
    args = [shutil.which("bwrap") or "bwrap", *namespace_args(), "--clearenv"]
    for key, value in sorted(kernel_env(environ).items()):
        args += ["--setenv", key, value]
    size = str(layout.tmp_mb * 2**20)
    mounts = system_binds() + python_binds()
    mounts += [["--ro-bind", outside, inside] for outside, inside in layout.readonly]
    mounts += [["--bind", str(layout.job), JOB], ["--bind", str(layout.ipc), IPC]]
    for folder in ancestors([group[-1] for group in mounts]):  # bwrap would make them 0700
        args += ["--perms", "0755", "--dir", folder]
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    args += ["--size", size, "--tmpfs", "/home", "--bind", str(layout.home), HOME]
    for group in mounts:
        args += group
    args += ["--proc", "/proc", "--dev", "/dev"]  # shared memory: joblib, multiprocessing
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/dev/shm", "--chdir", JOB, "--"]
    # Limits are set inside: in a user namespace of its own (grader not root), the process
    # limit counts only the sandbox's processes; as root, those of the sandbox uid.
    args += ["prlimit", f"--nproc={layout.max_processes}"]
    if layout.memory_mb > 0:
        args.append(f"--data={layout.memory_mb * 2**20}")
    args.append("--")
    if layout.uid is not None:  # the grader is root: drop to the sandbox uid
        args += ["setpriv", f"--reuid={layout.uid}", f"--regid={layout.uid}", "--clear-groups"]
        args += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    return args + kernel


def ancestors(paths: list[str]) -> list[str]:
    """The folders above ``paths`` (not ``/``), each once, parents first."""
    found: dict[str, None] = {}
    for path in paths:
        parts = Path(path).parts[1:-1]
        for depth in range(1, len(parts) + 1):
            found["/" + "/".join(parts[:depth])] = None
    return sorted(found, key=lambda folder: folder.count("/"))


def sandbox_uid() -> int | None:
    """The uid for this process's kernels: its own when the grader runs as root, else None."""
    return UID_BASE + os.getpid() if os.geteuid() == 0 else None


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

    _made_folder = Unicode("")
    _layout: Any = None

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
        return command(layout, kernel, os.environ)

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

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """Remove the sockets, and the folder this manager made."""
        await super()._async_cleanup_resources(restart)
        if self._made_folder and not restart:
            shutil.rmtree(self._made_folder, ignore_errors=True)


# Errors that mean the sandbox refused something: no permission, a read-only file system, no
# more processes, no network. A missing file counts when its path is outside the sandbox's
# own folders (the kernel looked for something of the grader's).
DENIED_ERRNOS = ("[Errno 1]", "[Errno 11]", "[Errno 13]", "[Errno 30]", "[Errno 101]")
DENIED_ERRNOS += ("[Errno 111]", "[Errno 99]", "[Errno -2]", "[Errno -3]")
OWN_FOLDERS = (JOB, "/tmp", HOME)
GRADER_FOLDERS = "cnncourse-job-"  # a job's temporary folder (the grader's, never the kernel's)


def denials(nb: Any) -> list[str]:
    """What the sandbox refused a notebook's code, from its cells' error outputs: one
    message per cell (``cell N: Error: text``)."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") != "error":
                continue
            text = f"{output.get('ename')}: {output.get('evalue', '')}"
            missing = output.get("ename") == "FileNotFoundError"
            paths = re.findall(r"'(/[^']*)'", text) if missing else []
            outside = [
                p
                for p in paths
                if GRADER_FOLDERS in p or not any(inside(p, own) for own in OWN_FOLDERS)
            ]
            if outside or any(code in text for code in DENIED_ERRNOS):
                found.append(f"cell {index}: {text[:300]}")
                break
    return found


def inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or below it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


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
