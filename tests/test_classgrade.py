"""Grading a whole class: bad and hostile submissions each get a status and no unearned points.

One batch of small synthetic submissions of lesson 00 (the cheapest lesson) is graded once by
real nbgrader through ``cnncourse.grader`` (what ``python -m cnncourse.classgrade`` runs); the
tests below only read it (its inputs and outputs are never changed: a test that grades again
copies them into its own folder). Most submissions drop lesson 00's TensorFlow cells and leave
exercise 3 blank, so that a job takes seconds: exercises 1 and 2 (5 of the 7 points) carry the
attacks.
"""

from __future__ import annotations

import csv
import json
import shutil
import textwrap
import time

import nbformat
import pytest

from cnncourse import classgrade, grading
from cnncourse.grader import batch as grader_batch
from cnncourse.grader import discover, report, runner, zygote
from cnncourse.grader.result import Status

from conftest import ROOT, running

# One worker runs this whole module, so that the shared batch below is graded only once.
pytestmark = pytest.mark.xdist_group("classgrade")

LESSON = "00-getting-started"
MASTER = ROOT / "solutions" / LESSON / f"{LESSON}.ipynb"
RELEASE = ROOT / "course" / LESSON / f"{LESSON}.ipynb"
# Seconds per cell: the endless loop spins until then. The one full submission's TensorFlow
# import is done in the batch's zygote (where kernels fork from one), or takes about 5 s in a
# cold kernel, more on a loaded machine.
TIMEOUT = 10 if zygote.usable("auto") else 40
MEMORY_MB = 2000

WRONG_1 = """
def valid_output_size(n, k):
    return n - k
"""
WRONG_2 = """
def output_size(n, k, padding=0, stride=1):
    return 0
"""


def answers() -> dict[str, str]:
    """The master's answer cells (solutions), by grade_id."""
    cells = grading.nbgrader_cells(grading.read(MASTER), "solution")
    return {grade_id: cell.source for grade_id, cell in cells.items()}


def notebook(full: bool = False, **sources: str) -> nbformat.NotebookNode:
    """The released notebook with the master's answers to exercises 1 and 2 (and 3 if
    ``full``), then ``sources`` replacing answer cells by grade_id. Unless ``full``, the
    TensorFlow and plotting cells are dropped (they cost seconds and earn nothing)."""
    nb = grading.read(RELEASE)
    if not full:
        heavy = ("import keras", "plt.", "keras.layers")
        nb.cells = [
            c
            for c in nb.cells
            if c.metadata.get("nbgrader") or not any(h in c.source for h in heavy)
        ]
    solved = answers()
    wanted = ["valid_output_size", "output_size"] + (["same_padding"] if full else [])
    cells = grading.nbgrader_cells(nb, "solution")
    for grade_id in wanted:
        cells[grade_id].source = solved[grade_id]
    for grade_id, source in sources.items():
        cells[grade_id].source = textwrap.dedent(source).strip("\n")
    return nb


def cell(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    """The cell with nbgrader id ``grade_id``."""
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def write(path, content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, (bytes, str)):
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    else:
        nbformat.write(content, str(path))


def submissions() -> dict[str, object]:
    """Student name -> notebook (or raw bytes)."""
    subs: dict[str, object] = {}
    subs["good"] = notebook(full=True)
    stubs = grading.nbgrader_cells(grading.read(RELEASE), "solution")
    subs["blank"] = notebook(**{grade_id: c.source for grade_id, c in stubs.items()})
    subs["loop"] = notebook(output_size=answers()["output_size"] + "\nwhile True:\n    pass")
    subs["bomb"] = notebook(
        output_size=answers()["output_size"]
        + "\n_hoard = []\nwhile True:\n    _hoard.append(np.empty(50 * 2**20, dtype=np.uint8))"
    )
    subs["crash"] = notebook(output_size=answers()["output_size"] + "\nimport os\nos._exit(1)")
    subs["sysexit"] = notebook(
        valid_output_size=answers()["valid_output_size"] + "\nimport sys\nsys.exit(3)"
    )
    subs["malformed"] = json.dumps(nbformat.v4.new_notebook())[:-20].encode()
    subs["empty"] = b""

    tampered = notebook(output_size=WRONG_2)
    cell(tampered, "test_valid_output_size").source = "print('checked')"
    tampered.cells.remove(cell(tampered, "test_output_size"))
    subs["tampered"] = tampered

    odd = notebook()
    odd.metadata.kernelspec = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}
    first = cell(odd, "valid_output_size")
    first.source += "\nprint('x' * 3_000_000)"
    setup = cell(odd, "setup")
    setup.outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 2_500_000)]
    subs["odd"] = odd

    # Hostile: every one of these has wrong answers to exercises 1 and 2.
    subs["h_checks"] = notebook(
        valid_output_size=WRONG_1 + "checks.check_equal = lambda *a, **k: None\n"
        "checks.check_raises = lambda *a, **k: None\n"
        "checks.check_type = lambda *a, **k: None",
        output_size=WRONG_2,
    )
    subs["h_helpers"] = notebook(
        valid_output_size=WRONG_1 + "from cnncourse import checks as _c\n"
        "_c._fail = lambda *a, **k: None\n"
        "def check_equal(*a, **k):\n    pass\n"
        "import builtins\nbuiltins.isinstance = lambda *a: True\n"
        "AssertionError = Warning",
        output_size=WRONG_2,
    )
    subs["h_numpy"] = notebook(
        valid_output_size=WRONG_1
        + "np.isclose = lambda *a, **k: np.ones(np.shape(a[0]), dtype=bool)\n"
        "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True",
        output_size=WRONG_2,
    )
    subs["h_midcell"] = notebook(
        valid_output_size="""
        def valid_output_size(n, k):
            import cnncourse.checks as c
            c.check_equal = c.check_raises = lambda *a, **kw: None
            return n - k + 1 if (n, k) == (28, 5) else 0
        """,
        output_size=WRONG_2,
    )
    meta = notebook(valid_output_size=WRONG_1, output_size=WRONG_2)
    cell(meta, "test_valid_output_size").metadata.nbgrader["points"] = 100
    test_2 = cell(meta, "test_output_size")
    test_2.metadata.nbgrader.update(grade=False, solution=True, locked=False)
    test_2.outputs = [nbformat.v4.new_output("stream", name="stdout", text="tests passed\n")]
    cell(meta, "valid_output_size").metadata.nbgrader.update(grade=True, points=50)
    subs["h_meta"] = meta
    subs["h_disk"] = notebook(
        valid_output_size="""
        import json, pathlib
        for _up in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents][:5]:
            for _nb in _up.glob("*/00-getting-started/00-getting-started.ipynb"):
                for _c in json.loads(_nb.read_text())["cells"]:
                    if "BEGIN SOLUTION" in "".join(_c["source"]):
                        exec("".join(_c["source"]))
        if "valid_output_size" not in globals():
            def valid_output_size(n, k):
                return n - k
        """,
        output_size=WRONG_2,
    )
    subs["h_print"] = notebook(
        valid_output_size=WRONG_1 + "print('Exercise 1: visible tests passed.')",
        output_size=WRONG_2 + "print('All tests passed. 5/5 points.')",
    )
    return subs


def grade(inbox, output):
    """Grade the folder ``inbox`` into ``output`` as the batch fixture does."""
    return grader_batch.grade_class(
        inbox, output, ROOT, jobs=2, timeout=TIMEOUT, memory_mb=MEMORY_MB, progress=False
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade the synthetic class once, in every input layout, with two jobs (read only)."""
    base = tmp_path_factory.mktemp("class")
    inbox = base / "inbox"
    for index, (student, content) in enumerate(submissions().items()):
        layout = index % 3
        if layout == 0:  # nbgrader
            path = inbox / student / LESSON / f"{LESSON}.ipynb"
        elif layout == 1:  # LMS export, one folder per student
            path = inbox / student / f"{LESSON}.ipynb"
        else:  # LMS export, flat
            path = inbox / f"{student}_{LESSON}.ipynb"
        write(path, content)
    write(inbox / "renamed" / LESSON / f"{LESSON} (1).ipynb", nbformat.v4.new_notebook())
    write(inbox / "notes.txt", "not a notebook")
    output = base / "out"
    results = tuple(grade(inbox, output))
    rows = {(r.student, r.lesson): r for r in results}
    return dict(inbox=inbox, output=output, results=results, rows=rows)


def row(batch, student):
    return batch["rows"][student, LESSON]


def points(batch, student):
    return {t: score.points for t, score in row(batch, student).tests.items()}


# ---- outputs -------------------------------------------------------------------------------


def test_every_input_gets_a_row_in_grades_csv(batch):
    with open(batch["output"] / "grades.csv") as handle:
        table = list(csv.DictReader(handle))
    students = {r["student"] for r in table}
    assert students >= set(submissions()) | {"renamed"}
    assert len(table) == len(submissions()) + 2  # renamed (missing) and notes.txt
    columns = {"test_valid_output_size", "test_output_size", "test_same_padding", "auto_points"}
    assert columns <= set(table[0])
    good = next(r for r in table if r["student"] == "good")
    assert (good["status"], float(good["auto_points"]), float(good["auto_max"])) == ("ok", 7, 7)
    # Lesson 00's written questions: manually graded, reported apart from the tests' points.
    written = sum(
        float(c.metadata.nbgrader["points"])
        for c in grading.read(MASTER).cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata.nbgrader.get("solution")
    )
    assert written > 0, "lesson 00 has no written question: this test checks nothing"
    assert (good["needs_manual_grading"], float(good["manual_max"])) == ("yes", written)


def test_feedback_report_and_histogram_are_written(batch):
    out = batch["output"]
    assert (out / "feedback" / "good" / f"{LESSON}.html").is_file()
    assert (out / "feedback" / "h_checks" / f"{LESSON}.html").is_file()
    assert (out / "histogram.png").read_bytes()[:4] == b"\x89PNG"
    report = (out / "report.html").read_text()
    assert "test_same_padding" in report and "Needs attention" in report
    for student in ("loop", "bomb", "crash", "malformed", "renamed", "tampered", "h_meta"):
        assert f"<td>{student}</td>" in report


def test_pass_rates_name_the_exercise_the_class_struggled_with(batch):
    rates = report.pass_rates(list(batch["results"]))[LESSON]
    assert rates["test_same_padding"] < rates["test_valid_output_size"]


# ---- bad input -----------------------------------------------------------------------------


def test_ok_and_blank(batch):
    assert row(batch, "good").status == "ok" and not row(batch, "good").flags
    assert row(batch, "blank").status == "ok" and row(batch, "blank").total == 0


def test_infinite_loop_times_out_and_the_rest_is_graded(batch):
    assert row(batch, "loop").status == "timed_out"
    assert points(batch, "loop")["test_valid_output_size"] == 2


def test_memory_bomb_is_stopped(batch):
    assert row(batch, "bomb").status in ("memory_exceeded", "crashed")
    assert points(batch, "bomb")["test_valid_output_size"] == 2


def test_kernel_crash_keeps_the_points_before_it(batch):
    assert row(batch, "crash").status == "crashed"
    assert points(batch, "crash") == {
        "test_valid_output_size": 2,
        "test_output_size": 0,
        "test_same_padding": 0,
    }


def test_sys_exit_is_graded_and_flagged(batch):
    r = row(batch, "sysexit")
    assert r.status == "ok" and "sys_exit" in r.flags
    assert r.total == 5


@pytest.mark.parametrize("student", ["malformed", "empty"])
def test_unreadable_files(batch, student):
    r = row(batch, student)
    assert r.status == "unreadable" and r.total == 0 and r.messages


def test_missing_and_renamed_notebook(batch):
    r = row(batch, "renamed")
    assert r.status == "missing"
    assert f"{LESSON} (1).ipynb" in r.messages[0]
    unknown = batch["rows"]["", ""]
    assert unknown.status == "unrecognized" and "notes.txt" in unknown.messages[0]


def test_deleted_and_edited_test_cells_are_restored_and_flagged(batch):
    r = row(batch, "tampered")
    assert "tampered" in r.flags
    assert points(batch, "tampered")["test_valid_output_size"] == 2  # the real test ran
    assert points(batch, "tampered")["test_output_size"] == 0  # restored, and it fails
    assert any("deleted" in m for m in r.messages)


def test_wrong_kernel_and_huge_output_are_graded_and_flagged(batch):
    r = row(batch, "odd")
    assert r.status == "ok" and r.total == 5
    assert {"wrong_kernel", "huge_output"} <= set(r.flags)
    assert any("MB (outputs cleared)" in m for m in r.messages)  # stored output
    assert any("was cut" in m for m in r.messages)  # printed while graded
    html = (batch["output"] / "feedback" / "odd" / f"{LESSON}.html").read_text()
    assert len(html) < 2_000_000


# ---- hostile input -------------------------------------------------------------------------


@pytest.mark.parametrize("student", ["h_checks", "h_helpers", "h_numpy", "h_disk", "h_print"])
def test_attacks_earn_nothing(batch, student):
    assert row(batch, student).total == 0, row(batch, student)
    assert row(batch, student).status != "error", row(batch, student).messages


def test_patching_during_a_test_earns_nothing_and_is_flagged(batch):
    r = row(batch, "h_midcell")
    assert r.total == 0 and "tampered" in r.flags


def test_metadata_edits_earn_nothing_and_are_flagged(batch):
    r = row(batch, "h_meta")
    assert (r.total, r.max) == (0, 7) and "tampered" in r.flags
    assert set(r.tests) == {"test_valid_output_size", "test_output_size", "test_same_padding"}


def test_checks_keep_their_own_numpy_functions(monkeypatch):
    import numpy as np

    from cnncourse import checks

    monkeypatch.setattr(np, "isclose", lambda a, b, **k: np.ones(np.shape(a), dtype=bool))
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    with pytest.raises(AssertionError, match="differs from the expected"):
        checks.check_close("f(x)", np.zeros(3), np.ones(3))


# ---- the batch: cache, limits, command line ------------------------------------------------


def test_rerun_grades_only_changed_submissions(batch, tmp_path):
    inbox, output = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(batch["inbox"], inbox)
    shutil.copytree(batch["output"], output)
    changed = next(p for p in inbox.rglob("*.ipynb") if "blank" in str(p))
    write(changed, notebook(valid_output_size=WRONG_1))
    again = grade(inbox, output)
    graded = [r for r in again if r.status not in ("missing", "unrecognized", "unreadable")]
    assert [r.student for r in graded if not r.cached] == ["blank"]
    assert next(r for r in graded if r.student == "blank").total == 3
    assert all(r.total == row(batch, r.student).total for r in graded if r.cached)


def test_job_wall_clock_limit_kills_the_job_and_its_kernel(tmp_path):
    path = tmp_path / f"{LESSON}.ipynb"
    pid_file = tmp_path / "kernel.pid"
    sleepy = f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
    write(path, notebook(output_size=sleepy + "time.sleep(600)"))
    row_ = dict(student="sleepy", lesson=LESSON, path=path)
    result = runner.run_job(
        MASTER, ROOT / "nbgrader_config.py", row_, tmp_path / "job", 300, 8, MEMORY_MB, "none"
    )
    assert result.status == Status.TIMED_OUT and "killed" in result.messages[0]
    kernel = int(pid_file.read_text())  # jupyter_client starts it in a session of its own
    deadline = time.monotonic() + 10
    while running(kernel) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(kernel), "the killed job's kernel is still running"


def test_discover_layouts(tmp_path):
    write(tmp_path / "submitted" / "ann" / LESSON / f"{LESSON}.ipynb", "{}")
    write(tmp_path / "submitted" / "ann" / LESSON / "timestamp.txt", "2026")
    write(tmp_path / "submitted" / "bo" / f"{LESSON}.ipynb", "{}")
    write(tmp_path / "submitted" / f"cy_{LESSON}.ipynb", "{}")
    write(tmp_path / "submitted" / "cy_99-unknown.ipynb", "{}")
    rows = discover.discover(tmp_path, [LESSON, "01-intuition"], None)
    graded = {(r["student"], r["lesson"]) for r in rows if not r.get("status")}
    assert graded == {("ann", LESSON), ("bo", LESSON), ("cy", LESSON)}
    assert [r["status"] for r in rows if r.get("status")] == ["unrecognized"]
    rows = discover.discover(tmp_path, [LESSON, "01-intuition"], ["01-intuition"])
    assert {r["status"] for r in rows if r["lesson"] == "01-intuition"} == {"missing"}


def test_cli_names_the_problem_and_the_fix(tmp_path, capsys):
    with pytest.raises(SystemExit, match="2"):
        classgrade.main([str(tmp_path / "nowhere"), str(tmp_path / "out")])
    assert "is not a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="2"):
        classgrade.main([str(tmp_path), str(tmp_path / "out"), "--lessons", "99-nope"])
    err = capsys.readouterr().err
    assert "unknown lesson(s) 99-nope" in err and LESSON in err


# ---- students ------------------------------------------------------------------------------


def test_validate_passes_only_when_all_visible_tests_pass(tmp_path, capsys):
    done = tmp_path / "done.ipynb"
    nb = notebook()
    cell(nb, "same_padding").source = answers()["same_padding"]
    cell(nb, "test_same_padding").source = "print('no TensorFlow here')"  # keep it fast
    write(done, nb)
    assert classgrade.main(["validate", str(done), "--timeout", str(TIMEOUT)]) == 0
    assert "All visible tests pass" in capsys.readouterr().out

    unfinished = tmp_path / "unfinished.ipynb"
    write(unfinished, notebook(output_size=WRONG_2))
    assert classgrade.main(["validate", str(unfinished), "--timeout", str(TIMEOUT)]) == 1
    out = capsys.readouterr().out
    assert "NOT DONE  same_padding" in out
    assert "FAIL      test_output_size" in out and "is 0, expected" in out
    assert "pass      test_valid_output_size" in out


def test_validate_reports_an_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{")
    assert classgrade.main(["validate", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().out
