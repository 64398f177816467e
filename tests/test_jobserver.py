"""The batch's jobs forked from a job server: the same job as a new Python's, its folder,
environment and streams; killing its launcher ends it and what it started; without a server it
is a new Python."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cnncourse.grader import jobserver, runner, zygote

from conftest import ROOT

# A small stand-in for what a job imports: the fork must not need the server's preload.
PRELOAD = ["json"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with zygote.Zygote(tmp_path_factory.mktemp("jobserver"), PRELOAD, plain=True) as started:
        assert not zygote.wait_for(started.path, 120), "the job server did not start"
        yield started


def _launch(arguments, env, cwd, **kwargs):
    return subprocess.run(
        jobserver.command(arguments), env=env, cwd=cwd, capture_output=True, text=True,
        timeout=120, **kwargs,
    )  # fmt: skip


def _children(pid: int) -> set[int]:
    found = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            found |= {int(p) for p in listed.read().split()}
    return found


def test_a_forked_job_is_the_job_a_new_python_would_run(server, tmp_path):
    env = dict(os.environ, **{jobserver.VARIABLE: server.path, "PYTHONPATH": str(ROOT / "lib")})
    forked = _launch(["--help"], env, tmp_path)
    plain = _launch(["--help"], {k: v for k, v in env.items() if k != jobserver.VARIABLE}, tmp_path)
    assert forked.returncode == plain.returncode == 0, forked.stderr + plain.stderr
    assert forked.stdout == plain.stdout
    assert "--result-dir" in forked.stdout and "--wait" in forked.stdout


def test_a_forked_job_fails_as_a_new_python_would(server, tmp_path):
    env = dict(os.environ, **{jobserver.VARIABLE: server.path})
    done = _launch(["--student", "s"], env, tmp_path)
    assert done.returncode == 2
    assert "the following arguments are required: --master" in done.stderr


def test_without_a_server_the_launcher_runs_the_job_itself(tmp_path):
    env = dict(os.environ, **{jobserver.VARIABLE: str(tmp_path / "none.sock")})
    missing = tmp_path / "failed"
    missing.mkdir()
    (missing / zygote.FAILED).write_text("could not start")
    env[jobserver.VARIABLE] = str(missing / zygote.SOCKET)
    done = _launch(["--help"], env, tmp_path)
    assert done.returncode == 0 and "--result-dir" in done.stdout


def test_killing_the_launcher_ends_the_forked_job(server, tmp_path):
    env = dict(os.environ, **{jobserver.VARIABLE: server.path})
    before = _children(server.process.pid)
    lesson = "00-getting-started"
    arguments = [
        "--master",
        str(ROOT / "solutions" / lesson / f"{lesson}.ipynb"),
        "--config",
        str(ROOT / "nbgrader_config.py"),
        "--submission",
        str(ROOT / "course" / lesson / f"{lesson}.ipynb"),
        "--student",
        "s",
        "--lesson",
        lesson,
        "--result-dir",
        str(tmp_path / "r"),
        "--isolation",
        "none",
        "--wait",
    ]  # fmt: skip: it prepares, then waits for its turn (a "go" on stdin) that never comes
    launcher = subprocess.Popen(
        jobserver.command(arguments), env=env, cwd=tmp_path, stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (_children(server.process.pid) - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    job = _children(server.process.pid) - before
    assert job, "no job was forked"
    assert launcher.poll() is None, "the job did not wait for its turn"
    os.killpg(launcher.pid, 9)
    launcher.wait()
    deadline = time.monotonic() + 10
    while _children(server.process.pid) & job and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _children(server.process.pid) & job, "the job outlived its launcher"


def test_a_batch_job_is_launched_through_the_server_when_there_is_one(tmp_path):
    row = {"student": "s", "lesson": "l", "path": tmp_path / "x.ipynb"}
    args = (ROOT / "m.ipynb", ROOT / "nbgrader_config.py", row, tmp_path, None, 60.0, 1024)
    plain = runner.Job(*args)
    forked = runner.Job(*args, env={jobserver.VARIABLE: "/nowhere/zygote.sock"})
    assert plain.command[:4] == [sys.executable, "-m", "cnncourse.grader.cli", "job"]
    assert forked.command == jobserver.command(plain.command[4:])
