"""Probes run inside a sandboxed kernel by tests/test_sandbox.py (its source is sent as a cell).

``probe(paths, port)`` tries what a hostile submission would and returns what happened as a
JSON-able dict; the tests assert on it. Nothing here may raise.
"""

from __future__ import annotations

import os
import socket
import sys


def can_read(path: str) -> bool:
    """Whether ``path`` (a file, or a folder to list) can be read."""
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(1)
        return True
    except OSError:
        return False


def listing(path: str) -> list[str] | None:
    """The names in folder ``path`` (None when it cannot be listed)."""
    try:
        return sorted(os.listdir(path))
    except OSError:
        return None


def can_write(folder: str) -> bool:
    """Whether a new file can be created in ``folder``."""
    try:
        with open(os.path.join(folder, "written-by-the-sandbox"), "w") as handle:
            handle.write("x")
        return True
    except OSError:
        return False


def can_connect(port: int) -> bool:
    """Whether a TCP connection to 127.0.0.1:port succeeds."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3):
            return True
    except OSError:
        return False


def can_connect_unix(path: str) -> bool:
    """Whether a connection to the Unix socket ``path`` (a zygote's) succeeds."""
    for kind in (socket.SOCK_SEQPACKET, socket.SOCK_STREAM):
        try:
            with socket.socket(socket.AF_UNIX, kind) as client:
                client.connect(path)
                return True
        except OSError:
            continue
    return False


def status_fields() -> dict[str, str]:
    """This process's /proc/self/status, as a dict."""
    with open("/proc/self/status") as status:
        return dict(line.rstrip("\n").split(":\t", 1) for line in status if ":\t" in line)


def socket_names() -> list[str]:
    """The addresses of the Unix sockets among this process's open descriptors."""
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            with socket.socket(fileno=os.dup(int(fd))) as handle:
                name = handle.getsockname()
        except OSError:
            continue
        if isinstance(name, str):
            names.append(name)
    return names


def probe(paths: dict[str, str], port: int) -> dict[str, object]:
    """Everything the tests check, in one kernel run."""
    import cnncourse  # noqa: F401 -- the package the kernel can import

    return {
        "uid": os.getuid(),
        "euid": os.geteuid(),
        "cwd": os.getcwd(),
        "cwd_files": sorted(os.listdir(".")),
        "tmp_files": sorted(os.listdir("/tmp")),
        "read": {name: can_read(path) for name, path in paths.items()},
        "listing": {name: listing(path) for name, path in paths.items()},
        "write": {
            name: can_write(folder)
            for name, folder in {
                "job": ".",
                "tmp": "/tmp",
                "shm": "/dev/shm",
                "root": "/",
                "venv": sys.prefix,
                "python": os.path.dirname(os.__file__),
                "cnncourse": os.path.dirname(sys.modules["cnncourse"].__file__),
                "usr": "/usr/lib",
            }.items()
        },
        "connect": can_connect(port),
        "connect_zygote": can_connect_unix(paths["zygote"]),
        "sockets": socket_names(),
        "capabilities": status_fields()["CapEff"],
        "no_new_privs": status_fields()["NoNewPrivs"],
        "process_limit": __import__("resource").getrlimit(__import__("resource").RLIMIT_NPROC),
        "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    }
