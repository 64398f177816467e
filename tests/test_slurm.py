"""Grading a class on a real Slurm cluster: one array task per submission, merged into the
same grades.csv, feedback and report.html as a local run.

The test starts a single-node Slurm of its own (``slurm_cluster``: munged, slurmctld and slurmd
under a tmp folder) and stops it. Where Slurm cannot start, it skips with the reason, and fails
when ``CI`` is set (``.ci/run`` installs slurm-wlm and munge).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
import yaml

from cnncourse import grading

import slurm_cluster
from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.nbgrader]

LESSON = "00-getting-started"
MASTER = ROOT / "solutions" / LESSON / f"{LESSON}.ipynb"
RELEASE = ROOT / "course" / LESSON / f"{LESSON}.ipynb"
HEAVY = ("import keras", "plt.", "keras.layers")


def _submission(**sources: str) -> nbformat.NotebookNode:
    """The release with the master's answers (TensorFlow and plotting cells dropped, they
    cost seconds and earn nothing), then ``sources`` replacing answer cells by grade_id."""
    nb = grading.read(RELEASE)
    nb.cells = [
        c for c in nb.cells if c.metadata.get("nbgrader") or not any(h in c.source for h in HEAVY)
    ]
    solved = grading.nbgrader_cells(grading.read(MASTER), "solution")
    cells = grading.nbgrader_cells(nb, "solution")
    for grade_id, cell in cells.items():
        cell.source = solved[grade_id].source
    for grade_id, source in sources.items():
        cells[grade_id].source = textwrap.dedent(source).strip("\n")
    return nb


@pytest.fixture(scope="module")
def slurm_env(tmp_path_factory):
    problem = slurm_cluster.why_not()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"Slurm is needed in CI: {problem}")
        pytest.skip(problem)
    with slurm_cluster.cluster(tmp_path_factory.mktemp("slurm")) as env:
        yield env


def test_class_graded_through_a_slurm_array_matches_its_students(slurm_env, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nbformat.write(_submission(), str(inbox / f"ada_{LESSON}.ipynb"))
    wrong = "def valid_output_size(n, k):\n    return n - k"
    nbformat.write(_submission(valid_output_size=wrong), str(inbox / f"bob_{LESSON}.ipynb"))
    (inbox / f"eve_{LESSON}.ipynb").write_bytes(b"")
    output = tmp_path / "graded"
    command = [
        sys.executable, "-m", "cnncourse.classgrade", str(inbox), str(output),
        "--lessons", LESSON, "--slurm", "--jobs", "2", "--timeout", "60", "--isolation", "none",
    ]  # fmt: skip
    done = subprocess.run(
        command, env=slurm_env, capture_output=True, text=True, timeout=900, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tasks = sorted((output / ".slurm").glob("task-*.log"))
    assert len(tasks) == 3, f"expected one array task per submitted file, got {tasks}"
    with open(output / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ada", "bob", "eve"}
    assert rows["ada"]["status"] == "ok" and float(rows["ada"]["auto_points"]) == float(
        rows["ada"]["auto_max"]
    ), rows["ada"]
    assert rows["bob"]["status"] == "ok", rows["bob"]
    assert float(rows["bob"]["auto_points"]) < float(rows["ada"]["auto_points"]), rows["bob"]
    assert rows["eve"]["status"] == "unreadable", rows["eve"]
    assert (output / "feedback" / "bob" / f"{LESSON}.html").is_file()
    assert "the file is empty" in (output / "report.html").read_text()  # eve needs attention


def test_merge_writes_the_class_outputs_from_result_folders(tmp_path):
    from cnncourse.grader.batch import merge_results
    from cnncourse.grader.result import CellScore, Result, Status

    for student, points in (("ada", 3.0), ("bob", 1.0)):
        folder = tmp_path / "results" / student
        folder.mkdir(parents=True)
        result = Result(student, LESSON, f"{student}.ipynb", status=Status.OK)
        result.tests = {"test_valid_output_size": CellScore(points, 3.0)}
        result.total, result.max = points, 3.0
        result.write(folder / "result.json")
    merged = merge_results(tmp_path / "results", tmp_path / "out", ROOT)
    assert [r.student for r in merged] == ["ada", "bob"]
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        totals = {row["student"]: float(row["auto_points"]) for row in csv.DictReader(handle)}
    assert totals == {"ada": 3.0, "bob": 1.0}


def test_merge_without_results_names_the_folder(tmp_path):
    from cnncourse.grader.batch import merge_results

    with pytest.raises(ValueError, match="no result.json under"):
        merge_results(tmp_path, tmp_path / "out", ROOT)


def test_kubernetes_recipe_parses_and_keeps_its_limits():
    path = ROOT / "docs" / "recipes" / "kubernetes-grading.yaml"
    job, policy = list(yaml.safe_load_all(path.read_text()))
    assert job["kind"] == "Job" and job["spec"]["completionMode"] == "Indexed"
    pod = job["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = pod["containers"][0]
    assert container["resources"]["limits"]["memory"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert "cnncourse.classgrade job" in " ".join(container["args"])
    mounts = {m["mountPath"]: m.get("readOnly", False) for m in container["volumeMounts"]}
    assert mounts["/course"] and mounts["/inbox"], "the master and the inbox must be read-only"
    assert policy["kind"] == "NetworkPolicy" and policy["spec"]["egress"] == []


def test_the_wait_ends_once_every_task_left_its_result(tmp_path):
    from cnncourse.grader.slurm import wait_for_array

    results = [tmp_path / "a.json", tmp_path / "b.json"]
    # A stand-in for `sbatch --wait` that would poll for a minute; the tasks' results appear.
    write = ";".join(f"open({str(p)!r}, 'w').close()" for p in results)
    sbatch = [sys.executable, "-c", f"import time; {write}; time.sleep(60)"]
    assert wait_for_array(sbatch, dict(os.environ), results) is False  # not a minute later
    done = [sys.executable, "-c", "print(7)"]
    assert wait_for_array(done, dict(os.environ), [tmp_path / "never.json"]) is True


def test_a_refused_array_is_reported_in_slurm_s_words(tmp_path):
    from cnncourse.grader.slurm import wait_for_array

    refuse = [sys.executable, "-c", "import sys; sys.exit('sbatch: error: invalid partition')"]
    with pytest.raises(RuntimeError, match="sbatch refused the grading array.*invalid partition"):
        wait_for_array(refuse, dict(os.environ), [tmp_path / "never.json"])
