"""Smoke tests of benchmarks/notebooks.py and benchmarks/autograde.py on tiny generated lessons."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import autograde, notebooks  # noqa: E402

pytestmark = pytest.mark.slow  # these run kernels and notebooks

ALLOCATED_MB = 200  # the kernel holds this much: more than this test's own process ever does


def nbgrader_meta(grade_id: str, *, solution: bool = False, points: int = 0) -> dict:
    """nbgrader metadata for an answer cell (``solution``) or a graded test cell."""
    return {
        "nbgrader": {
            "grade": not solution,
            "grade_id": grade_id,
            "locked": not solution,
            "schema_version": 3,
            "solution": solution,
            **({"points": points} if not solution else {}),
        }
    }


def write_lesson(course: Path, lesson: str, cells: list) -> Path:
    """A master notebook ``course/solutions/<lesson>/<lesson>.ipynb``."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = course / "solutions" / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def tiny_course(course: Path) -> Path:
    """A course with one graded lesson (00-tiny), a lesson that holds memory in its kernel
    (01-memory) and one whose cell raises (02-broken)."""
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    write_lesson(
        course,
        "00-tiny",
        [
            nbformat.v4.new_code_cell(
                "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                metadata=nbgrader_meta("double", solution=True),
            ),
            nbformat.v4.new_code_cell(
                "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(3) == 6\n"
                "### END HIDDEN TESTS",
                metadata=nbgrader_meta("test_double", points=2),
            ),
        ],
    )
    write_lesson(
        course,
        "01-memory",
        [nbformat.v4.new_code_cell(f"held = b'x' * ({ALLOCATED_MB} * 2**20)\nlen(held)")],
    )
    write_lesson(
        course,
        "02-broken",
        [
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("raise ValueError('broken on purpose')"),
        ],
    )
    return course


def test_notebook_benchmark_writes_the_table_with_the_kernels_peak_and_reports_failures(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("JUPYTER_PATH", raising=False)  # the student's kernel, not a fork
    course = tiny_course(tmp_path)
    results = tmp_path / "results"
    code = notebooks.main(
        ["--modes", "fast", "--repeats", "1", "--lessons", "01-memory", "02-broken",
         "--course", str(course), "--results", str(results)]
    )  # fmt: skip
    assert code == 1  # a notebook failed: the command says so, after writing the table
    record = json.loads((results / "notebooks.json").read_text())
    entries = {e["lesson"]: e for e in record["extra"]["entries"]}
    memory = entries["01-memory"]
    assert memory["status"] == "ok"
    assert isinstance(memory["peak_bytes"], int)
    # The kernel's own peak: the kernel that held ALLOCATED_MB peaked far higher (by more
    # than half of it) than the kernel that held nothing. Had the benchmark read this (pytest)
    # process instead, both would show the same figure, whatever this process's own peak is.
    assert memory["peak_bytes"] >= ALLOCATED_MB * 2**20
    broken = entries["02-broken"]
    assert broken["status"] == "failed"
    assert "broken on purpose" in broken["error"]
    assert 0 < broken["peak_bytes"] < memory["peak_bytes"] - ALLOCATED_MB // 2 * 2**20
    table = (results / "notebooks.md").read_text()
    assert "01-memory" in table and "**failed**" in table and "Machine:" in table


def test_notebook_benchmark_names_an_unknown_lesson(tmp_path, capsys):
    course = tiny_course(tmp_path)
    with pytest.raises(SystemExit, match="2"):
        notebooks.main(["--lessons", "99-nope", "--course", str(course)])
    assert "99-nope" in capsys.readouterr().err


@pytest.mark.nbgrader
def test_solved_submission_fills_answers_without_markers_and_keeps_hidden_tests_out(tmp_path):
    course = tiny_course(tmp_path)
    master = nbformat.read(course / "solutions" / "00-tiny" / "00-tiny.ipynb", as_version=4)
    release = autograde.make_release(course, "00-tiny", tmp_path / "work")
    solved = autograde.solved_submission(master, release)
    assert "return 2 * x" in solved.cells[0].source
    assert "SOLUTION" not in solved.cells[0].source
    assert "double(3)" not in solved.cells[1].source  # the hidden test stays hidden


@pytest.mark.nbgrader
def test_autograde_benchmark_grades_through_classgrade_and_writes_the_table(tmp_path):
    course = tiny_course(tmp_path)
    shutil.rmtree(course / "solutions" / "01-memory")
    shutil.rmtree(course / "solutions" / "02-broken")
    results = tmp_path / "results"
    code = autograde.main(
        ["--lessons", "00-tiny", "--students", "1", "--jobs", "1", "--no-reference",
         "--course", str(course), "--results", str(results)]
    )  # fmt: skip
    assert code == 0
    record = json.loads((results / "autograde.json").read_text())
    (entry,) = record["extra"]["entries"]
    assert entry["statuses"] == ["ok"]
    assert entry["totals"] == [[2.0, 2.0]]  # the solved submission earns every point
    assert entry["per_submission_s"] > 0
    assert "autograde" in entry["steps"]  # the job's time is broken down
    (course_run,) = record["extra"]["whole_course"]  # the course as one batch, too
    assert course_run["statuses"] == ["ok"] and course_run["jobs"] == 1
    table = (results / "autograde.md").read_text()
    assert "00-tiny" in table and "1 student" in table and "Machine:" in table
    assert "whole course for one student, as one batch" in table


def test_notebook_benchmark_can_keep_the_stored_rows_of_modes_not_run_now(tmp_path):
    stored = {
        "machine": {"cpu": "old box", "cores": 2, "date": "then"},
        "extra": {
            "entries": [
                {"lesson": "00-a", "mode": "cpu", "seconds": 60.0},
                {"lesson": "00-a", "mode": "fast", "seconds": 5.0},
            ]
        },
    }
    path = tmp_path / "notebooks.json"
    path.write_text(json.dumps(stored))
    kept, machine = notebooks.stored_entries(path, ["fast"])
    assert [e["mode"] for e in kept] == ["cpu"]
    assert "old box" in machine
    assert notebooks.stored_entries(tmp_path / "missing.json", ["fast"]) == ([], "")
