"""The Linux calls that build a forked kernel's sandbox (:mod:`cnncourse.grader.zygote`): new
namespaces, the kernel's mounts, its privileges dropped, the zygote's descriptors closed; and
the process tree of a job or kernel, to end it whole. Thin wrappers over libc (ctypes): each
raises ``OSError`` naming the call that failed."""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import socket
from pathlib import Path

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x20000, 0x2000000, 0x4000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x8000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE, MNT_DETACH = 2, 4, 8, 16384, 1 << 18, 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
# open_tree(2) and move_mount(2) (Linux 5.2; the same numbers on every architecture): a folder
# of the grader's, cloned as a detached mount, can be attached in another mount namespace.
SYS_OPEN_TREE, SYS_MOVE_MOUNT, AT_FDCWD = 428, 429, -100
OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH = 1, 0o2000000, 0x8000, 4
SIOCSIFFLAGS, LOOPBACK_UP = 0x8914, 0x1 | 0x8 | 0x40  # IFF_UP | IFF_LOOPBACK | IFF_RUNNING


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source: str | None, target: str, kind: str | None, flags: int, data: str = "") -> None:
    """mount(2)."""
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    _check(_libc().mount(encode(source), encode(target), encode(kind), flags, encode(data)),
           f"mount {target}")  # fmt: skip


def detached_mount(folder: str) -> int:
    """A descriptor of a detached copy of the mount of ``folder`` (needs CAP_SYS_ADMIN)."""
    flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE
    fd = _libc().syscall(SYS_OPEN_TREE, AT_FDCWD, os.fsencode(folder), flags)
    _check(0 if fd >= 0 else -1, f"open_tree {folder}")
    return fd


def attach_mount(fd: int, target: str) -> None:
    """Attach the detached mount ``fd`` (:func:`detached_mount`) at ``target``."""
    flags = MOVE_MOUNT_F_EMPTY_PATH
    result = _libc().syscall(SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, target.encode(), flags)
    _check(result, f"move_mount {target}")


def enter_namespaces() -> None:
    """New mount, PID (for the next fork), network, IPC, UTS and (where the kernel has them)
    cgroup namespaces for this process; its mounts stop propagating anywhere."""
    libc = _libc()
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    _check(libc.unshare(flags), "unshare")
    libc.unshare(CLONE_NEWCGROUP)  # optional, as bubblewrap's --unshare-cgroup-try
    mount(None, "/", None, MS_REC | MS_PRIVATE)


def mount_kernel_folders(job: int, ipc: int, home: int, tmp_bytes: int) -> None:
    """Attach the detached mounts ``job``, ``ipc`` and ``home`` (the grader's folders) at
    their places in the sandbox and mount a fresh ``/tmp`` and ``/dev/shm`` (``tmp_bytes``
    each)."""
    from cnncourse.grader.bwrap import HOME, IPC, JOB, ZYGOTE

    for fd, target in ((job, JOB), (ipc, IPC), (home, HOME)):
        attach_mount(fd, target)
    _check(_libc().umount2(ZYGOTE.encode(), MNT_DETACH), f"umount {ZYGOTE}")  # its socket
    for target in ("/tmp", "/dev/shm"):
        mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_bytes},mode=1777")


def mount_proc() -> None:
    """A fresh ``/proc`` (of this process's PID namespace)."""
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def loopback_up() -> None:
    """Bring up the new network namespace's loopback, as bubblewrap does."""
    import fcntl
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", LOOPBACK_UP, b""))


def drop_privileges(uid: int, processes: int, data_bytes: int) -> None:
    """Limits, ``no_new_privs``, no capabilities (bounding set included), uid and gid ``uid``,
    no supplementary groups; fails unless no capability is left."""
    libc = _libc()
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    if data_bytes > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (data_bytes, data_bytes))
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for capability in range(64):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a change of uid clears it
    status = Path("/proc/self/status").read_text()
    effective = [line.split()[1] for line in status.splitlines() if line.startswith("CapEff")]
    if effective != ["0000000000000000"] or os.getuid() != uid:
        raise OSError(f"privileges not dropped: CapEff {effective}, uid {os.getuid()}")


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel (Linux) kill this process when its parent ends.

    Raises:
        ProcessLookupError: when ``parent`` (the PID the caller forked from) already ended.
    """
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        raise ProcessLookupError(f"the parent process {parent} ended before this one started")


def close_descriptors(keep: set[int]) -> None:
    """Close every open descriptor not in ``keep``."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, their children and so on (read from ``/proc``)."""
    children: dict[int, list[int]] = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # gone meanwhile
            continue
        children.setdefault(parent, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        for child in children.pop(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid``, its process group and every process it started, with their groups
    (a kernel that jupyter_client started in a session of its own, and what that started).
    The descendants are read first: once ``pid`` is gone they are orphans."""
    for target in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            if os.getpgid(target) == target:
                os.killpg(target, signal.SIGKILL)
            else:
                os.kill(target, signal.SIGKILL)
