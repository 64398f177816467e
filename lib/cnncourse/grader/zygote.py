"""Kernels forked from a zygote: the lessons' libraries (TensorFlow's seconds) imported once per
batch, not once per notebook. Each kernel is a fork of the zygote, sandboxed on its own before
any of the student's code runs, and used for one notebook only.

- :class:`Zygote` starts the zygote for a batch, in bubblewrap
  (:func:`cnncourse.grader.bwrap.zygote_command`), and stops it.
- :func:`serve` is the zygote (``python -m cnncourse.grader.zygote serve``). It keeps root's
  capabilities, which only its forks use, and never runs a student's code itself. For each
  request a fork enters new mount, PID, network, IPC and UTS namespaces; binds the kernel's own
  ``/job``, ``/ipc`` and home (passed as open folders, so the zygote sees no other path of the
  grader's); mounts its own ``/tmp``, ``/dev/shm`` and ``/proc``; closes every descriptor but
  its standard streams; sets the process and data limits, ``no_new_privs`` and the kernel's uid (no
  capabilities left, checked); takes the kernel's environment; then runs ipykernel.
- :func:`launch` is the kernel's command as the kernel manager sees it
  (``python -m cnncourse.grader.zygote launch REQUEST``): it asks the zygote for the kernel and
  lives as long as the kernel; when it is killed, the zygote kills the kernel.

The kernel sees what a kernel started by :func:`cnncourse.grader.bwrap.command` sees
(``docs/isolation.md``); :mod:`cnncourse.grader.namespaces` holds the Linux calls. Only the
standard library is imported at the top: the launcher must start fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cnncourse.grader import namespaces

PLAIN_VARIABLE = "CNN_KERNEL_ZYGOTE"  # a plain (unsandboxed) zygote's socket: the test suite's
SOCKET = "zygote.sock"
FAILED = "zygote.failed"  # written next to the socket when the zygote could not start
UID_FLOOR = 100_000_000  # a kernel's uid must be at least this (never root, never a user)
# Imported in the zygote when a lesson imports them: the packages (and their submodules) and
# modules whose import is slow and the same with or without an IPython shell.
FORKABLE_PACKAGES = ("numpy", "tensorflow", "keras", "scipy")
FORKABLE = ("matplotlib", "cnncourse.config")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # what ipykernel sets


def run_kernel(request: dict[str, Any]) -> None:
    """The sandboxed kernel's last steps, in the fork that is PID 1 of its namespace:
    ``/proc``, the session, the working folder, the privileges; then :func:`start_ipykernel`.
    Never returns."""
    from cnncourse.grader.bwrap import JOB

    try:
        namespaces.mount_proc()
        namespaces.loopback_up()
        os.setsid()
        os.chdir(JOB)
        limits = int(request["processes"]), int(request["data"])
        namespaces.drop_privileges(int(request["uid"]), *limits)
    except BaseException as failure:  # noqa: BLE001 -- reported on the kernel's stderr
        print(f"the zygote's kernel failed: {type(failure).__name__}: {failure}", file=sys.stderr)
        os._exit(1)
    start_ipykernel(request["env"], request["argv"])


def start_ipykernel(env: dict[str, str], argv: list[str]) -> None:
    """``python -m ipykernel_launcher ARGV`` in this process (:func:`run_module`)."""
    run_module(env, "ipykernel_launcher", argv)


def run_module(env: dict[str, str], module: str, argv: list[str]) -> None:
    """A fork's program, ``python -m MODULE ARGV`` (a kernel, or a grading job for
    :mod:`cnncourse.grader.jobserver`), in this process: take the environment ``env`` (over the
    variables the preload set, as ``cnncourse.config.quiet_tensorflow``'s), reseed NumPy, run
    the module; exit with its status. Never returns."""
    import runpy

    from cnncourse.grader.bwrap import ENV_PREFIXES

    code = 1
    try:
        zygote = {key: value for key, value in os.environ.items() if key.startswith(ENV_PREFIXES)}
        os.environ.clear()
        os.environ.update(zygote | env)
        if "numpy" in sys.modules:  # forks share the zygote's seed otherwise
            sys.modules["numpy"].random.seed()
        sys.argv = [module, *argv]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException as failure:  # noqa: BLE001 -- reported on the fork's stderr
        print(f"the zygote's fork failed: {type(failure).__name__}: {failure}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def fork_plain(request: dict[str, Any], fds: list[int], keep: set[int]) -> int:
    """Fork an unsandboxed kernel for ``request`` (or, when it names a ``module``, that module
    run as a program: :mod:`cnncourse.grader.jobserver`); ``fds``: its stdin, stdout and
    stderr. It runs in the launcher's folder and environment, in a session of its own; its PID."""
    zygote = os.getpid()
    kernel = os.fork()
    if kernel == 0:
        try:
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            namespaces.close_descriptors(keep | {0, 1, 2})
            os.setsid()
            namespaces.die_with_parent(zygote)  # the zygote's end is its forks' end
            os.chdir(request["cwd"])
        except BaseException:  # noqa: BLE001 -- the launcher sees the exit status
            os._exit(1)
        if request.get("module"):  # a program, not a kernel (cnncourse.grader.jobserver)
            run_module(request["env"], request["module"], request["argv"])
        start_ipykernel(request["env"], request["argv"])
    return kernel


def fork_kernel(request: dict[str, Any], fds: list[int]) -> tuple[int, int]:
    """Fork a sandboxed kernel for ``request`` (``fds``: its stdin, stdout, stderr and the
    folders job, ipc, home); it keeps no other descriptor (one that two kernels held would
    be a channel between them). Returns ``(fork, kernel)``: the fork that waits for the kernel
    (and exits with its status) and the kernel itself, both as PIDs of this namespace."""
    report_read, report_write = os.pipe()
    fork = os.fork()
    if fork == 0:
        code = 127
        try:
            os.close(report_read)
            for target, fd in enumerate(fds[:3]):
                os.dup2(fd, target)
            namespaces.enter_namespaces()
            namespaces.mount_kernel_folders(*fds[3:6], int(request["tmp_bytes"]))
            namespaces.close_descriptors({0, 1, 2, report_write})
            kernel = os.fork()
            if kernel == 0:
                os.close(report_write)
                run_kernel(request)
            os.write(report_write, str(kernel).encode())
            os.close(report_write)
            status = os.waitpid(kernel, 0)[1]
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
        except BaseException as failure:  # noqa: BLE001 -- reported to the zygote
            with contextlib.suppress(OSError):
                os.write(report_write, f"error {type(failure).__name__}: {failure}".encode())
        finally:
            os._exit(code)
    os.close(report_write)
    with os.fdopen(report_read, "rb") as report:
        answer = report.read().decode()
    if not answer.isdigit():
        os.waitpid(fork, 0)
        raise OSError(answer or "the kernel's fork ended before it started")
    return fork, int(answer)


def serve(path: str, preload: list[str], plain: bool = False) -> None:
    """The zygote: import ``preload`` (and ipykernel), then listen on ``path`` and fork a
    kernel for each request (:func:`launch`; with ``plain``, :func:`launch_plain`, and the
    kernels are not sandboxed) until killed."""
    from cnncourse.grader import warm

    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # the zygote's folder is not the kernel's
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # read when matplotlib is imported
    if plain:  # bubblewrap's --die-with-parent does it for the sandboxed one
        namespaces.die_with_parent()
    warm.preload(list(preload))
    import ipykernel.ipkernel  # noqa: F401 -- the kernel's own imports, done once
    import ipykernel.kernelapp  # noqa: F401

    keep = set()  # the libraries' own descriptors (not the one that lists them)
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            os.readlink(f"/proc/self/fd/{name}")
            keep.add(int(name))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path + ".new")
    os.chmod(path + ".new", 0o600)
    listener.listen(64)
    os.rename(path + ".new", path)  # ready
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listen")
    while True:
        for key, _ in selector.select():
            if key.data == "listen":
                connection, fds = listener.accept()[0], []
                try:
                    data, fds, _, _ = socket.recv_fds(connection, 1 << 20, 8)
                    request = json.loads(data)
                    ours = {selector.fileno(), listener.fileno(), connection.fileno()}
                    ours |= {key.fd for key in selector.get_map().values()}
                    if plain and len(fds) == 3:
                        fork = kernel = fork_plain(request, fds, keep - ours)
                    elif not plain and int(request["uid"]) >= UID_FLOOR and len(fds) == 6:
                        fork, kernel = fork_kernel(request, fds)
                    else:
                        raise ValueError("a kernel needs a sandbox uid and six descriptors")
                except Exception as failure:  # noqa: BLE001 -- the launcher reports it
                    with contextlib.suppress(OSError):
                        connection.send(json.dumps({"error": str(failure)}).encode())
                    connection.close()
                    continue
                finally:
                    for fd in fds:
                        os.close(fd)
                connection.send(json.dumps({"started": kernel}).encode())
                ended = os.pidfd_open(fork)
                selector.register(connection, selectors.EVENT_READ, ("launcher", kernel))
                selector.register(ended, selectors.EVENT_READ, ("ended", fork, connection))
            elif key.data[0] == "launcher":  # the launcher went away: so does its kernel
                if plain:  # a session of its own: with everything it started
                    namespaces.kill_tree(key.data[1])
                with contextlib.suppress(OSError):
                    os.kill(key.data[1], signal.SIGKILL)
                selector.unregister(key.fileobj)
                key.fileobj.close()
            else:
                _, fork, connection = key.data
                code = os.waitstatus_to_exitcode(os.waitpid(fork, 0)[1])
                selector.unregister(key.fileobj)
                os.close(key.fd)
                if connection.fileno() >= 0:
                    with contextlib.suppress(OSError):
                        connection.send(json.dumps({"exit": code}).encode())
                    selector.unregister(connection)
                    connection.close()


def wait_for(path: str, seconds: float) -> str:
    """Wait for the zygote whose socket is ``path`` to be ready: '' once it is, else why not
    (what it wrote when it failed, or ``timeout`` after ``seconds``)."""
    deadline = time.monotonic() + seconds
    failed = Path(path).with_name(FAILED)
    while not os.path.exists(path):
        if failed.exists():
            return failed.read_text()
        if time.monotonic() > deadline:
            return "timeout"
        time.sleep(0.05)
    return ""


def ask(path: str, request: dict[str, Any], fds: list[int]) -> tuple[str, int]:
    """Send ``request`` and the descriptors ``fds`` to the zygote at ``path`` and wait for the
    kernel it forks to end. Returns ``(refusal, exit status)``: ``refusal`` is why the zygote
    did not fork ('' when it did)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as zygote:
        zygote.connect(path)
        socket.send_fds(zygote, [json.dumps(request).encode()], fds)
        answer = json.loads(zygote.recv(1 << 16) or b'{"error": "the zygote closed"}')
        if "error" in answer:
            return str(answer["error"]), 1
        ended = zygote.recv(1 << 16)
    return "", int(json.loads(ended).get("exit", 1)) if ended else 1


def launch(request_file: str) -> int:
    """Ask the zygote named in ``request_file`` (JSON, written by the kernel manager) for a
    kernel; wait for it to end; its exit status. Waits for a zygote still starting."""
    request = json.loads(Path(request_file).read_text())
    path = request.pop("socket")
    why = wait_for(path, float(request.pop("wait", 300)))
    if why:
        print(f"no zygote at {path}: {why}", file=sys.stderr)
        return 70
    if not request.get("data"):
        request["data"] = max(resource.getrlimit(resource.RLIMIT_DATA)[0], 0)
    folders = [namespaces.detached_mount(request.pop(name)) for name in ("job", "ipc", "home")]
    refused, code = ask(path, request, [0, 1, 2, *folders])
    if refused:
        print(f"the zygote could not start the kernel: {refused}", file=sys.stderr)
        return 71
    return code


def preload_of(pairs: Iterable[tuple[Any, Any]]) -> list[str]:
    """What the zygote imports, for ``(submission, master)`` notebook pairs: of the imports of
    each lesson that its submission makes too (``warm.shared_imports``: the lessons' own, never
    a name only a submission mentions, and no TensorFlow for submissions that dropped it), the
    heavy ones whose import does not depend on IPython (:data:`FORKABLE`), each once. The
    others (pyplot and tqdm look for the shell when imported) the warm kernel imports
    itself."""
    from cnncourse.grader import warm

    names: dict[str, None] = {}
    for submission, master in pairs:
        for name in warm.shared_imports(master, submission):
            if name in FORKABLE or name.split(".")[0] in FORKABLE_PACKAGES:
                names[name] = None
    return list(names)


def usable(isolation: str) -> bool:
    """Whether kernels can be forked from a zygote here: the grader is root (it binds each
    kernel's folders and gives it a uid of its own) and the sandbox is used."""
    from cnncourse.grader import sandbox

    if os.geteuid() != 0 or isolation == "none":
        return False
    return sandbox.resolve(isolation)[0] == sandbox.BUBBLEWRAP


def launch_plain(argv: list[str]) -> int:
    """An ordinary kernel's command (ipykernel with ``argv``) that forks the kernel from the
    plain zygote named by :data:`PLAIN_VARIABLE` (waiting for one still starting), in this
    folder and environment, and lives as long as it does. Without that zygote (or when it
    failed or refuses), it becomes ipykernel itself."""
    path = os.environ.get(PLAIN_VARIABLE, "")
    if path and not wait_for(path, 120):  # a zygote still importing: worth the wait
        request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
        with contextlib.suppress(OSError):
            refused, code = ask(path, request, [0, 1, 2])
            if not refused:
                return code
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    return 1  # not reached


class Zygote:
    """A zygote for one batch, in its sandbox (a context manager); with ``plain``, an
    unsandboxed one for :func:`launch_plain`. ``path`` is its socket (for
    ``sandbox.ZYGOTE_VARIABLE`` or :data:`PLAIN_VARIABLE`); it becomes ready in the
    background, while the first jobs prepare."""

    def __init__(self, folder: Path, preload: list[str], plain: bool = False) -> None:
        from cnncourse.grader import bwrap, sandbox

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        self.path = str(self.folder / SOCKET)
        if plain:  # unsandboxed kernels (the test suite's), for launch_plain
            self.command = [sys.executable, "-m", __name__, "serve-plain", self.path, *preload]
        else:
            inside = f"{bwrap.ZYGOTE}/{SOCKET}"
            server = [sys.executable, "-m", __name__, "serve", inside, *preload]
            readonly = sandbox.extra_readonly(os.environ)
            self.command = bwrap.zygote_command(self.folder, server, os.environ, readonly)
        self.log = open(self.folder / "zygote.log", "wb")  # noqa: SIM115 -- closed in stop
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd="/",
        )

    def stop(self) -> None:
        """Kill the zygote (and, with it, any kernel still running); remove its socket."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()
        Path(self.path).unlink(missing_ok=True)

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    """``serve SOCKET [MODULE ...]``, ``serve-plain SOCKET [MODULE ...]``, ``launch REQUEST``
    or ``kernel [IPYKERNEL ARGUMENT ...]`` (:func:`launch_plain`)."""
    if argv[:1] in (["serve"], ["serve-plain"]) and len(argv) >= 2:
        try:
            serve(argv[1], argv[2:], plain=argv[0] == "serve-plain")
        except BaseException as failure:
            Path(argv[1]).with_name(FAILED).write_text(f"{type(failure).__name__}: {failure}")
            raise
        return 0
    if argv[:1] == ["launch"] and len(argv) == 2:
        return launch(argv[1])
    if argv[:1] == ["kernel"]:
        return launch_plain(argv[1:])
    print(
        "usage: python -m cnncourse.grader.zygote serve|serve-plain SOCKET [MODULE ...] | "
        "launch REQUEST | kernel [ARGUMENT ...]",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
