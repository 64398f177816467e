"""The bubblewrap command line that runs one kernel in the sandbox (see
:mod:`cnncourse.grader.sandbox` for when and why): what it mounts, which environment it keeps,
its namespaces and limits. Pure functions: nothing here runs anything."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

JOB, IPC, HOME = "/job", "/ipc", "/home/student"
ZYGOTE = "/zygote"  # the zygote's socket folder, inside its sandbox
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


def default_max_processes() -> int:
    """Processes and threads the kernel may have (TensorFlow starts about two per core)."""
    return max(256, 16 * (os.cpu_count() or 1))


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


def filesystem_args(
    readonly: tuple[tuple[str, str], ...], binds: list[list[str]], tmp_mb: int
) -> list[str]:
    """bubblewrap's options for the sandbox's file system: the system and Python read-only,
    ``readonly`` (outside, inside) pairs, the ``binds`` option groups, its own ``/tmp``,
    ``/home``, ``/dev/shm``, ``/proc`` and ``/dev``."""
    args: list[str] = []
    size = str(tmp_mb * 2**20)
    mounts = system_binds() + python_binds()
    mounts += [["--ro-bind", outside, inside] for outside, inside in readonly]
    mounts += binds
    for folder in ancestors([group[-1] for group in mounts]):  # bwrap would make them 0700
        args += ["--perms", "0755", "--dir", folder]
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp", "--size", size]
    args += ["--tmpfs", "/home"]
    for group in mounts:
        args += group
    args += ["--proc", "/proc", "--dev", "/dev"]  # shared memory: joblib, multiprocessing
    return args + ["--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]


def environment_args(environ: Mapping[str, str]) -> list[str]:
    """bubblewrap's options for the sandbox's environment (:func:`kernel_env`, nothing else)."""
    args = ["--clearenv"]
    for key, value in sorted(kernel_env(environ).items()):
        args += ["--setenv", key, value]
    return args


def command(layout: Layout, kernel: list[str], environ: Mapping[str, str]) -> list[str]:
    """The full command that runs ``kernel`` (an argv using inside paths) in the sandbox."""
    args = [shutil.which("bwrap") or "bwrap", *namespace_args(), *environment_args(environ)]
    binds = [["--bind", str(layout.job), JOB], ["--bind", str(layout.ipc), IPC]]
    binds.append(["--bind", str(layout.home), HOME])
    args += filesystem_args(layout.readonly, binds, layout.tmp_mb)
    args += ["--chdir", JOB, "--"]
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


def zygote_command(
    folder: Path, server: list[str], environ: Mapping[str, str], readonly: tuple = ()
) -> list[str]:
    """The command that runs the zygote (:mod:`cnncourse.grader.zygote`, argv ``server``) in a
    sandbox of the same file system as a kernel's, with ``folder`` (its socket) at
    ``ZYGOTE``, empty mount points where each fork binds its own ``/job``, ``/ipc`` and home,
    and root's capabilities, which only its forks use (to build each kernel's own namespaces
    before they drop to the kernel's uid). For a grader that runs as root."""
    args = [shutil.which("bwrap") or "bwrap", *namespace_args(), "--cap-add", "ALL"]
    args += environment_args(environ)
    binds = [["--bind", str(folder), ZYGOTE], ["--dir", JOB], ["--dir", IPC], ["--dir", HOME]]
    args += filesystem_args(readonly, binds, DEFAULT_TMP_MB)
    return args + ["--chdir", "/", "--", *server]


def ancestors(paths: list[str]) -> list[str]:
    """The folders above ``paths`` (not ``/``), each once, parents first."""
    found: dict[str, None] = {}
    for path in paths:
        parts = Path(path).parts[1:-1]
        for depth in range(1, len(parts) + 1):
            found["/" + "/".join(parts[:depth])] = None
    return sorted(found, key=lambda folder: folder.count("/"))
