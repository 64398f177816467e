"""Kernels forked from a zygote (cnncourse.grader.zygote): what it preloads, and how the
launcher and the zygote refuse what they must. The sandbox the forks get is proven by
tests/test_sandbox.py, which runs every probe and the fork bomb in a forked kernel too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import nbformat
import pytest

from cnncourse.grader import bwrap, sandbox, zygote


def notebook(*sources: str, answer: str = "") -> nbformat.NotebookNode:
    """A notebook of code cells (and one answer cell with ``answer``, if given)."""
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    if answer:
        cell = nbformat.v4.new_code_cell(answer)
        cell.metadata.nbgrader = {"solution": True, "grade_id": "answer"}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_zygote_preloads_the_lessons_heavy_imports_but_not_what_looks_for_the_shell():
    first = notebook("import numpy as np\nimport matplotlib.pyplot as plt\nimport matplotlib")
    second = notebook(
        "from cnncourse import config\nimport tensorflow as tf\nfrom keras import layers",
        "from tqdm.auto import tqdm\nimport numpy as np",
        answer="import scipy.ndimage",  # a student's import: never preloaded
    )
    pairs = [(first, first), (second, second)]
    assert zygote.preload_of(pairs) == [
        "numpy", "matplotlib", "cnncourse.config", "tensorflow", "keras", "keras.layers",
    ]  # fmt: skip


def test_zygote_skips_what_no_submission_imports():
    master = notebook("import numpy as np\nimport tensorflow as tf")
    dropped = notebook("import numpy as np")  # a submission without the TensorFlow cells
    assert zygote.preload_of([(dropped, master)]) == ["numpy"]


def test_no_zygote_without_isolation():
    assert zygote.usable("none") is False


def launch(request: dict, tmp_path) -> subprocess.CompletedProcess:
    """Run the launcher on ``request``; its exit status and stderr."""
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    command = [sys.executable, "-m", zygote.__name__, "launch", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_launcher_says_why_when_the_zygote_failed_to_start(tmp_path):
    (tmp_path / zygote.FAILED).write_text("ImportError: no module named tensorflow")
    done = launch({"socket": str(tmp_path / zygote.SOCKET)}, tmp_path)
    assert done.returncode == 70
    assert "no zygote at" in done.stderr and "no module named tensorflow" in done.stderr


def test_launcher_gives_up_on_a_zygote_that_never_comes(tmp_path):
    done = launch({"socket": str(tmp_path / zygote.SOCKET), "wait": 0.2}, tmp_path)
    assert done.returncode == 70 and "timeout" in done.stderr


def test_usage_is_printed_for_an_unknown_command():
    done = subprocess.run([sys.executable, "-m", zygote.__name__, "fork"], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "usage:" in done.stderr


@pytest.fixture(scope="module")
def forks(tmp_path_factory):
    if sandbox.problem() or not zygote.usable("required"):
        pytest.skip("kernels are forked from a zygote only by a root grader with bubblewrap")
    with zygote.Zygote(tmp_path_factory.mktemp("zygote"), ["numpy"]) as started:
        deadline = time.monotonic() + 60
        while not os.path.exists(started.path) and time.monotonic() < deadline:
            time.sleep(0.1)
        yield started


def kernel_request(forks, tmp_path, uid: int) -> dict:
    folders = {name: tmp_path / name for name in ("job", "ipc", "home")}
    for folder in folders.values():
        folder.mkdir()
    return {
        "socket": forks.path,
        "argv": ["-f", "/ipc/kernel.json"],
        "env": bwrap.kernel_env({}),
        "uid": uid,
        "processes": 64,
        "data": 0,
        "tmp_bytes": 2**20,
        **{name: str(folder) for name, folder in folders.items()},
    }


@pytest.mark.slow
def test_zygote_refuses_a_kernel_that_would_run_as_root(forks, tmp_path):
    done = launch(kernel_request(forks, tmp_path, uid=0), tmp_path)
    assert done.returncode == 71
    assert "a kernel needs a sandbox uid" in done.stderr


@pytest.mark.slow
def test_killing_the_launcher_ends_the_kernel(forks, tmp_path):
    uid = sandbox.sandbox_uid()
    request = kernel_request(forks, tmp_path, uid)
    for folder in ("job", "ipc", "home"):
        os.chown(tmp_path / folder, uid, uid)
    (tmp_path / "request.json").write_text(json.dumps(request))
    command = [sys.executable, "-m", zygote.__name__, "launch", str(tmp_path / "request.json")]
    with open(tmp_path / "err", "w") as errors:
        launcher = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    deadline = time.monotonic() + 60
    started = tmp_path / "ipc" / "kernel.json"  # the kernel writes it when it starts
    while not started.exists() and launcher.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert launcher.poll() is None, (tmp_path / "err").read_text()
    assert any(sandbox.process_uid(int(p)) == uid for p in os.listdir("/proc") if p.isdigit())
    launcher.kill()
    launcher.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(sandbox.process_uid(int(p)) == uid for p in os.listdir("/proc") if p.isdigit()):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the kernel (uid {uid}) outlived its launcher")


@pytest.mark.slow
def test_the_suite_s_kernels_are_forked_in_the_caller_s_folder_and_environment(
    forked_kernels, tmp_path, monkeypatch
):
    if forked_kernels is None:
        pytest.skip("CNN_TEST_FORK=0: the suite's kernels are not forked")
    from nbclient import NotebookClient

    monkeypatch.setenv("CNN_TEST_PROBE", "seen")
    code = "import os, sys\nprint(os.getcwd(), os.environ['CNN_TEST_PROBE'], os.getppid())"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    where = {"metadata": {"path": str(tmp_path)}}
    client = NotebookClient(nb, kernel_name="python3", resources=where)
    client.execute()
    assert nb.cells[0].outputs[0]["text"].split() == [
        str(tmp_path), "seen", str(forked_kernels),
    ]  # fmt: skip
