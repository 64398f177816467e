"""The sandboxed kernel (cnncourse.grader.sandbox): it runs code and sees nothing else.

One kernel runs every probe of tests/sandbox_probes.py in one cell (reading the repository,
the master, a gradebook and a sibling job; writing outside its folder; the network); the tests
read that one result. The fork bomb gets a kernel of its own. Without bubblewrap the tests
skip, except in CI (``CI`` set), where isolation must work and they fail.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from cnncourse.grader import bwrap, forkbomb, sandbox, zygote
from cnncourse.grader.denials import denials

from conftest import ROOT, require_bubblewrap

PROBES = Path(__file__).with_name("sandbox_probes.py")
MASTER = ROOT / "solutions" / "03-conv2d" / "03-conv2d.ipynb"


@pytest.fixture(scope="module", autouse=True)
def bubblewrap():
    require_bubblewrap()


@pytest.fixture(scope="module")
def forks(tmp_path_factory):
    """A zygote (cnncourse.grader.zygote) for this module's forked kernels, as a batch starts
    one (numpy only: the test is of the sandbox, not of TensorFlow's import)."""
    if not zygote.usable("required"):
        pytest.skip("kernels are forked from a zygote only when the grader is root")
    with zygote.Zygote(tmp_path_factory.mktemp("zygote"), ["numpy"]) as started:
        yield started


@pytest.fixture(scope="module", params=["bubblewrap", "zygote"])
def kernel_start(request) -> dict[str, str]:
    """How the sandboxed kernel starts: bubblewrap's own command, or forked from a zygote
    (kernel manager settings)."""
    if request.param == "zygote":
        return {"zygote": request.getfixturevalue("forks").path}
    return {"zygote": ""}


def client_for(cells: list[str], job: Path, timeout: int = 60, **manager) -> NotebookClient:
    """A client that runs code cells in a sandboxed kernel whose working folder is ``job``."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    config = {"SandboxedKernelManager": manager}
    from traitlets.config import Config

    return NotebookClient(
        nb,
        kernel_manager_class=sandbox.SandboxedKernelManager,
        resources={"metadata": {"path": str(job)}},
        timeout=timeout,
        allow_errors=True,
        config=Config(config),
    )


def run(cells: list[str], job: Path, timeout: int = 60, **manager) -> list[list[dict]]:
    """Run code cells in a sandboxed kernel whose working folder is ``job``; their outputs."""
    client = client_for(cells, job, timeout, **manager)
    client.execute()
    return [cell.outputs for cell in client.nb.cells]


def text(outputs: list[dict]) -> str:
    """A cell's printed text and error messages."""
    return "".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in outputs)


@pytest.fixture(scope="module")
def probed(tmp_path_factory, kernel_start):
    """One sandboxed kernel's answers to every probe, with a job laid out like the grader's:
    job/kernel (its folder), job/course/gradebook.db, and a sibling job next to it."""
    base = tmp_path_factory.mktemp("jobs")
    job, sibling = base / "job", base / "other-job"
    (job / "kernel").mkdir(parents=True)
    (job / "kernel" / "03-conv2d.ipynb").write_text("{}")
    (job / "course").mkdir()
    (job / "course" / "gradebook.db").write_text("hidden tests")
    (sibling / "kernel").mkdir(parents=True)
    (sibling / "kernel" / "03-conv2d.ipynb").write_text("{}")
    marker = Path("/tmp") / f"outside-{os.getpid()}"
    marker.write_text("the grader's /tmp")
    paths = {
        "repo": str(ROOT / "README.md"),
        "repo_folder": str(ROOT),
        "master": str(MASTER),
        "gradebook": str(job / "course" / "gradebook.db"),
        "sibling": str(sibling / "kernel" / "03-conv2d.ipynb"),
        "sibling_folder": str(sibling),
        "marker": str(marker),
        "root_home": "/root",
        "passwd": "/etc/passwd",
        "zygote": kernel_start["zygote"] or "/nonexistent/zygote.sock",
    }
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    code = PROBES.read_text() + f"\nimport json\nprint(json.dumps(probe({paths!r}, {port})))\n"
    try:
        outputs = run(["print(6 * 7)", code], job / "kernel", **kernel_start)
    finally:
        listener.close()
        marker.unlink()
    return {"answer": text(outputs[0]), "probe": json.loads(text(outputs[1])), "job": job}


def test_sandboxed_kernel_runs_code(probed):
    assert probed["answer"].strip() == "42"


def test_kernel_works_in_the_submission_folder(probed):
    assert probed["probe"]["cwd"] == bwrap.JOB
    assert probed["probe"]["cwd_files"] == ["03-conv2d.ipynb"]


@pytest.mark.parametrize("what", ["repo", "master", "gradebook", "sibling", "sibling_folder"])
def test_kernel_cannot_read_the_grader_s_files(probed, what):
    assert probed["probe"]["read"][what] is False


def test_kernel_sees_of_the_repository_only_the_library_and_the_venv(probed):
    # The venv (or its link) and lib/cnncourse are mounted at their own paths; nothing else.
    seen = probed["probe"]["listing"]["repo_folder"]
    assert "solutions" not in seen and "README.md" not in seen
    assert set(seen) <= {".venv", "lib"}
    assert set(probed["probe"]["listing"]["root_home"] or []) <= {".pyenv"}


def test_kernel_has_no_network(probed):
    assert probed["probe"]["connect"] is False


def test_kernel_sees_its_own_empty_tmp(probed):
    assert probed["probe"]["tmp_files"] == []
    assert probed["probe"]["read"]["marker"] is False


def test_kernel_runs_as_an_unprivileged_uid(probed):
    assert probed["probe"]["uid"] != 0 and probed["probe"]["euid"] != 0


def test_kernel_sees_only_its_own_processes(probed):
    assert len(probed["probe"]["processes"]) < 10


def test_kernel_has_no_capabilities_no_new_privileges_and_a_process_limit(probed):
    assert probed["probe"]["capabilities"] == "0000000000000000"
    assert probed["probe"]["no_new_privs"] == "1"
    assert probed["probe"]["process_limit"] == [bwrap.default_max_processes()] * 2


def test_kernel_cannot_reach_the_zygote(probed):
    # Neither its socket (not mounted in the sandbox) nor a descriptor left open by the fork.
    assert probed["probe"]["connect_zygote"] is False
    assert [name for name in probed["probe"]["sockets"] if "zygote" in name] == []
    assert all(name.startswith(f"{bwrap.IPC}/") or not name for name in probed["probe"]["sockets"])


@pytest.mark.parametrize("where", ["root", "venv", "python", "cnncourse", "usr"])
def test_writing_outside_the_job_folder_fails(probed, where):
    assert probed["probe"]["write"][where] is False


def test_writing_in_the_job_folder_tmp_and_shared_memory_works(probed):
    assert probed["probe"]["write"]["job"] is True
    assert probed["probe"]["write"]["tmp"] is True
    assert probed["probe"]["write"]["shm"] is True  # joblib and multiprocessing need it
    assert (probed["job"] / "kernel" / "written-by-the-sandbox").is_file()


# A bomb that does not spin (it sleeps when a fork fails) and never ends by itself: only the
# sandbox's watch (cnncourse.grader.forkbomb) ends it, before the cell's timeout.
FORK_BOMB = """
import os, time
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.05)
"""


def sandbox_processes() -> int:
    """Processes (and threads) that run as a sandbox uid of this test process's kernels (other
    tests may run sandboxed kernels at the same time: their uids are not counted)."""
    first = sandbox.UID_BASE + 64 * (os.getpid() % 2**22)
    count = 0
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:  # it ended
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if first <= int(fields["Uid"].split()[0]) < first + 64:
            count += int(fields["Threads"])
    return count


def test_fork_bomb_is_ended_at_its_process_limit_and_the_grader_survives(tmp_path, kernel_start):
    limit = 40
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                peak[0] = max(peak[0], sandbox_processes())
            except OSError:
                pass
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    client = client_for(
        [FORK_BOMB, "print('still alive')"], tmp_path, timeout=60, max_processes=limit,
        **kernel_start,
    )  # fmt: skip
    manager = client.create_kernel_manager()  # the client lets go of it when done
    try:
        # the kernel dies (the watch ended it), rather than its cell timing out after 60 s
        with pytest.raises(DeadKernelError, match="Kernel died"):
            client.execute()
        forked = subprocess.run(["true"], timeout=30).returncode  # the grader can still fork
    finally:
        done.set()
        watcher.join()
    assert forked == 0
    assert limit / 4 <= peak[0] <= limit
    why = manager.ended_why()
    assert why.startswith(forkbomb.ENDED) and f"({limit} processes and threads)" in why, why
    assert "still alive" not in text(client.nb.cells[1].outputs)
    time.sleep(1)
    assert sandbox_processes() == 0  # nothing outlives the kernel


# The pure parts: no kernel needed.


def test_resolve_names_the_modes_and_refuses_an_unknown_one():
    assert sandbox.resolve("none") == ("none", "")
    with pytest.raises(ValueError, match="unknown isolation 'chroot'; use one of auto, required"):
        sandbox.resolve("chroot")


def test_resolve_without_bubblewrap(monkeypatch):
    monkeypatch.setattr(sandbox, "problem", lambda: "bubblewrap is not installed")
    used, note = sandbox.resolve("auto")
    assert used == "none" and "no OS isolation: bubblewrap is not installed" in note
    with pytest.raises(sandbox.SandboxUnavailable, match="pass --isolation none to grade"):
        sandbox.resolve("required")


def test_kernel_environment_keeps_the_course_s_variables_only():
    env = bwrap.kernel_env(
        {"CNN_COURSE_MODE": "fast", "TF_CPP_MIN_LOG_LEVEL": "3", "AWS_SECRET": "x",
         "TF_CLI_CONFIG_FILE": "/root/.terraformrc", "HOME": "/root"}
    )  # fmt: skip
    assert env["CNN_COURSE_MODE"] == "fast" and env["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert "AWS_SECRET" not in env and "TF_CLI_CONFIG_FILE" not in env
    assert env["HOME"] == bwrap.HOME


def test_command_makes_parent_folders_readable_and_drops_root(tmp_path):
    layout = bwrap.Layout(job=tmp_path, ipc=tmp_path, home=tmp_path, uid=sandbox.UID_BASE + 1)
    argv = bwrap.command(layout, ["python", "-m", "ipykernel_launcher"], {})
    assert argv[-3:] == ["python", "-m", "ipykernel_launcher"]
    assert f"--reuid={sandbox.UID_BASE + 1}" in argv and "--no-new-privs" in argv
    assert "--unshare-net" in argv and "--clearenv" in argv
    assert bwrap.ancestors(["/a/b/c", "/a/d"]) == ["/a", "/a/b"]


def test_every_kernel_gets_a_uid_of_its_own():
    # A kernel's left-over processes never count against the next one's process limit.
    first, second = sandbox.sandbox_uid(), sandbox.sandbox_uid()
    assert first != second and min(first, second) >= sandbox.UID_BASE


def error_cell(ename: str, evalue: str):
    output = nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])
    return nbformat.v4.new_code_cell("", outputs=[output])


def test_denials_name_what_the_sandbox_refused_and_nothing_else():
    nb = nbformat.v4.new_notebook(
        cells=[
            error_cell("NotImplementedError", ""),
            error_cell("FileNotFoundError", "[Errno 2] No such file: 'data.csv'"),
            error_cell("FileNotFoundError", "[Errno 2] No such file: '/job/data.csv'"),
            error_cell("FileNotFoundError", "[Errno 2] No such file: '/srv/course/solutions/x'"),
            error_cell("FileNotFoundError", "[Errno 2] No such file: '/tmp/cnncourse-job-1/k'"),
            error_cell("ConnectionRefusedError", "[Errno 111] Connection refused"),
            error_cell("OSError", "[Errno 30] Read-only file system: '/usr/x'"),
            error_cell("BlockingIOError", "[Errno 11] Resource temporarily unavailable"),
            error_cell("DeadKernelError", f"{forkbomb.ENDED}: 70 processes filled its limit"),
            error_cell("DeadKernelError", "Kernel died"),  # os._exit, a segfault: not refused
        ]
    )
    assert [m.split(":")[0] for m in denials(nb)] == [f"cell {i}" for i in range(3, 9)]
