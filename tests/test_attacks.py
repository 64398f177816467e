"""The attack suite: lesson-03 submissions that solve nothing and attack the grader instead.

Each file in tests/attacks/ is the first answer cell of one submission (the other answers stay
blank). All of them, one correct submission as a control and the blank release, are graded in
ONE classgrade batch with OS isolation required; each test reads its row. Every attack must earn
0 points and be flagged (or get a non-ok status), and an attack on the kernel must be named in
the flag's message; nothing may leak out (the master's solutions, a connection to the grading
machine, a file written outside the job). The same submissions go through plain ``nbgrader
autograde`` with the repository's configuration too. In CI (``CI`` set) missing isolation is a
failure, elsewhere a skip.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from cnncourse import grading
from cnncourse.grader import forkbomb, prune, sandbox
from cnncourse.grader.batch import grade_class

from conftest import ROOT, inject, make_course, require_bubblewrap

pytestmark = pytest.mark.xdist_group("attacks")

LESSON = "03-conv2d"
MASTER = ROOT / "solutions" / LESSON / f"{LESSON}.ipynb"
RELEASE = ROOT / "course" / LESSON / f"{LESSON}.ipynb"
ATTACKS = {path.stem: path for path in sorted((Path(__file__).parent / "attacks").glob("*.py"))}
TIMEOUT = 10  # seconds per cell (the fork bomb spins on both cores until then); kernels fork from
# a zygote that imported TensorFlow, so the control's slowest cell takes about a second
HEAVY = ("import tensorflow", "import skimage", "tf.", "photo", "timeit")
# In-kernel attacks that helper `grader`'s guard does not stop yet (strict: this fails when it
# does, so that the mark is removed then).
NOT_STOPPED_YET: dict[str, str] = {}  # attack -> why it still scores (xfail, strict)
# Attacks on the kernel itself, and what the guard's message must name for each.
IN_KERNEL = {
    "input_transformer": "input_transformers_post",
    "input_transformer_cleanup": "input_transformers_cleanup",
    "ast_transformer": "ast_transformers",
    "custom_exc": "custom_exceptions",
    "showtraceback": "showtraceback",
    "run_cell_hooks": "pre_run_cell event callback",
    "post_run_cell": "post_run_cell event callback",
    "assertion_error": "builtins.AssertionError",
    "numpy_comparisons": "numpy.allclose",
    "checks_attribute": "cnncourse.checks.check",
    "checks_sys_modules": "sys.modules['cnncourse.checks']",
    "caller_frame": "frames were read",
    "lesson_helper": "the name 'l03' was rebound",
}


@pytest.fixture(scope="module", autouse=True)
def bubblewrap():
    require_bubblewrap()


def solution_lines() -> set[str]:
    """Distinctive lines of the master's answers (what a leak would show)."""
    lines = set()
    for cell in grading.nbgrader_cells(grading.read(MASTER), "solution").values():
        inside = False
        for line in cell.source.splitlines():
            if "SOLUTION" in line:
                inside = "BEGIN" in line
            elif inside and len(line.strip()) > 30:
                lines.add(line.strip())
    return lines


def answers() -> dict[str, str]:
    """The master's answer cells, by grade_id."""
    cells = grading.nbgrader_cells(grading.read(MASTER), "solution")
    return {grade_id: cell.source for grade_id, cell in cells.items()}


def submission(code: str | None, blank: bool = False):
    """The release with ``code`` as its first answer, or with every master answer (``None``:
    the control, whole), or as released (``blank``). The attacks and the blank leave out the
    cells that only show something (``prune.display_only``: the grader skips them in an honest
    submission, but runs an attack's notebook whole, as its code reaches names dynamically) and
    the heavy ungraded ones."""
    nb = grading.read(RELEASE)
    if code is None and not blank:
        for grade_id, source in answers().items():
            inject(nb, grade_id, source)
        return nb
    shows = prune.display_only(nb, nb)
    nb.cells = [
        cell
        for index, cell in enumerate(nb.cells)
        if cell.metadata.get("nbgrader")
        or (index not in shows and not any(h in cell.source for h in HEAVY))
    ]
    return nb if blank else inject(nb, "conv2d_valid", code)


class Listener:
    """A TCP server on 127.0.0.1 that records who connects."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()


def write_submissions(folder: Path, names: list[str], rewrites: dict[str, str]) -> None:
    """``folder/<name>/03-conv2d/03-conv2d.ipynb`` for each attack named (``control``: the
    master's answers; ``blank``: the release), with the attack's ``NAME = ...`` lines set from
    ``rewrites``."""
    for name in names:
        code = None
        if name not in ("control", "blank"):
            code = ATTACKS[name].read_text()
            for variable, value in rewrites.items():
                code = re.sub(rf"^{variable} = .*$", f"{variable} = {value}", code, flags=re.M)
        target = folder / name / LESSON / f"{LESSON}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(submission(code, blank=name == "blank"), str(target))


def planted(marker: str) -> list[Path]:
    """Files named ``marker`` that write_outside left where the grader would find them
    (removed once found)."""
    places = (Path("/tmp"), Path("/"), Path(sys.prefix), Path(sys.prefix) / "lib")
    found = [place / marker for place in places if (place / marker).exists()]
    found += list(Path.home().glob(f".ipython/*/startup/{marker}"))
    for path in found:
        path.unlink()
    return found


@pytest.fixture(scope="module")
def victim():
    """Another student's job folder in /tmp, with a secret in it."""
    folder = Path("/tmp") / f"cnncourse-job-other-{os.getpid()}"
    notebook = folder / "kernel" / f"{LESSON}.ipynb"
    notebook.parent.mkdir(parents=True, exist_ok=True)
    notebook.write_text("the other student's secret answer 1234")
    yield notebook
    shutil.rmtree(folder, ignore_errors=True)


def grade(tmp_path_factory, victim, names: list[str], isolation: str) -> dict:
    """Grade the named submissions in ONE classgrade batch (two jobs at a time); what came out
    and what leaked (connections to the grading machine, files planted outside)."""
    base = tmp_path_factory.mktemp(f"attacks-{isolation}")
    marker = f"cnncourse-attack-{os.getpid()}-{isolation}"
    listener = Listener()
    rewrites = {
        "PORT": str(listener.port),
        "MARKER": repr(marker),
        "MASTER": repr(str(MASTER)),
        "OTHER_JOB": repr(str(victim)),
    }
    write_submissions(base / "submitted", names, rewrites)
    try:
        results = grade_class(
            base / "submitted", base / "out", ROOT, [LESSON], jobs=2, timeout=TIMEOUT,
            memory_mb=4000, progress=False, isolation=isolation,
        )  # fmt: skip
    finally:
        listener.close()
    return {
        "rows": {r.student: r for r in results},
        "connections": listener.connections,
        "written": planted(marker),
        "secret": victim.read_text(),
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory, victim):
    """Every attack, the control and the blank, graded with isolation required."""
    return grade(tmp_path_factory, victim, [*ATTACKS, "control", "blank"], "required")


def feedback(row) -> str:
    """The row's feedback page with its character references resolved: a leaked line is found
    however the page escapes its quotes (``&#39;``, ``&quot;``)."""
    path = row.feedback_file
    return html.unescape(Path(path).read_text()) if path and Path(path).is_file() else ""


def test_control_submission_keeps_every_point_in_the_sandbox(batch):
    row = batch["rows"]["control"]
    assert row.isolation == "bubblewrap"
    assert (row.status, row.flags) == ("ok", []), row.messages
    assert row.total == row.max == 14


def test_blank_release_scores_zero_unflagged_in_the_sandbox(batch):
    row = batch["rows"]["blank"]
    assert (row.status, row.total, row.flags) == ("ok", 0, []), row.messages


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=NOT_STOPPED_YET[name], strict=True))
        if name in NOT_STOPPED_YET
        else name
        for name in ATTACKS
    ],
)
def test_attack_earns_nothing_and_is_flagged(batch, attack):
    row = batch["rows"][attack]
    assert row.isolation == "bubblewrap"
    assert row.total == 0, (row.tests, row.messages)
    assert row.flags or row.status != "ok", row.messages


def test_every_attack_on_the_kernel_has_a_file_and_a_name():
    assert set(IN_KERNEL) <= set(ATTACKS), set(IN_KERNEL) - set(ATTACKS)


@pytest.mark.parametrize("attack", sorted(IN_KERNEL))
def test_attack_on_the_kernel_is_named_in_its_flag(batch, attack):
    row = batch["rows"][attack]
    assert "tampered" in row.flags, row.messages
    assert IN_KERNEL[attack] in " ".join(row.messages), row.messages


def test_no_solution_or_other_job_leaks_into_any_feedback(batch):
    secrets = solution_lines() | {batch["secret"]}
    for name in ATTACKS:
        text = feedback(batch["rows"][name])
        leaked = [line for line in secrets if line in text]
        assert not leaked, (name, leaked[:3])


def test_reading_outside_is_blocked_and_says_so(batch):
    for name in ("master_by_path", "gradebook", "other_jobs"):
        row = batch["rows"][name]
        assert "blocked" in row.flags, (name, row.messages)
        assert "FileNotFoundError" in " ".join(row.messages)


def test_no_connection_reaches_the_grading_machine(batch):
    assert batch["connections"] == 0
    assert "blocked" in batch["rows"]["network"].flags


def test_nothing_is_written_outside_the_job(batch):
    assert batch["written"] == []
    assert "blocked" in batch["rows"]["write_outside"].flags


def test_fork_bomb_is_ended_by_the_sandbox_and_the_rest_is_graded(batch):
    row = batch["rows"]["fork_bomb"]
    assert row.total == 0
    assert row.status == "crashed" and "blocked" in row.flags, row.messages
    # The bomb's own cell (5) may end first, with its fork refused, and the watch end the kernel
    # while the guard prepares the next graded cell: the reason is named either way.
    ended = f"DeadKernelError: {forkbomb.ENDED}"
    assert any(m.startswith("cell ") and ended in m for m in row.messages), row.messages
    assert batch["rows"]["control"].total == 14  # the batch went on


# Without isolation: only the attacks that are safe to let loose on a shared machine (as root,
# nothing would stop the fork bomb, and write_outside would plant files in the venv).
SAFE_WITHOUT_ISOLATION = ["master_by_path", "gradebook", "other_jobs", "network"]


@pytest.fixture(scope="module")
def unisolated(tmp_path_factory, victim):
    """The read and network attacks graded by classgrade with ``--isolation none``."""
    return grade(tmp_path_factory, victim, SAFE_WITHOUT_ISOLATION, "none")


def test_without_isolation_the_master_is_read_and_its_answers_score(unisolated):
    # The hole isolation closes: exercise 1's points, from the master's code. (The later,
    # blank answer cells redefine the other functions; the same lines in every answer cell
    # would take all 14.)
    row = unisolated["rows"]["master_by_path"]
    assert row.isolation == "none"
    assert row.tests["test_conv2d_valid"].points == 3 and row.flags == []


def test_without_isolation_the_gradebook_and_other_jobs_are_read(unisolated):
    printed = re.compile(r"read \d+ test cells from the gradebook")  # its output, not its code
    assert printed.search(feedback(unisolated["rows"]["gradebook"]))
    assert unisolated["secret"] in feedback(unisolated["rows"]["other_jobs"])


def test_without_isolation_the_grading_machine_is_reached(unisolated):
    assert unisolated["connections"] >= 1


# Plain `nbgrader autograde` with this repository's nbgrader_config.py (GuardedExecute, with
# isolation "auto"): the attacks that reach outside the kernel, those on the kernel, the
# control and the blank.
PLAIN = ["master_by_path", "gradebook", "other_jobs", "network", "fork_bomb", "write_outside"]
PLAIN += [*sorted(IN_KERNEL), "control", "blank"]


@pytest.fixture(scope="module")
def plain(tmp_path_factory, victim):
    """The PLAIN submissions autograded by one ``nbgrader autograde`` in a course made from
    this repository (its masters and nbgrader_config.py)."""
    base = tmp_path_factory.mktemp("plain")
    course = make_course(base / "course", [LESSON])
    marker = f"cnncourse-attack-{os.getpid()}-plain"
    listener = Listener()
    rewrites = {
        "PORT": str(listener.port),
        "MARKER": repr(marker),
        "MASTER": repr(str(course / "solutions" / LESSON / f"{LESSON}.ipynb")),
        "OTHER_JOB": repr(str(victim)),
    }
    write_submissions(course / "submitted", PLAIN, rewrites)
    # Plain nbgrader as an instructor runs it: not given the suite's zygote, GuardedExecute
    # starts its own and forks each sandboxed kernel from it (the classgrade batch above has
    # the batch's).
    env = {k: v for k, v in os.environ.items() if k != sandbox.ZYGOTE_VARIABLE}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", LESSON, f"--Execute.timeout={TIMEOUT}"],
            cwd=course, capture_output=True, text=True, timeout=1800, env=env,
        )  # fmt: skip
    finally:
        listener.close()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "sandboxed kernels fork from a zygote" in done.stderr, done.stderr[-3000:]
    scores = grading.scores(course, LESSON)
    return {
        "totals": {student: sum(points.values()) for student, points in scores.items()},
        "guard": {student: error_text(course, student) for student in scores},
        "dead": {student: error_text(course, student, "DeadKernelError") for student in scores},
        "connections": listener.connections,
        "written": planted(marker),
    }


def error_text(course: Path, student: str, ename: str = "GraderGuardError") -> str:
    """The text of the ``ename`` error outputs in a student's autograded notebook."""
    path = course / "autograded" / student / LESSON / f"{LESSON}.ipynb"
    return " ".join(
        output.get("evalue", "")
        for cell in grading.read(path).cells
        for output in cell.get("outputs", [])
        if output.get("ename") == ename
    )


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=NOT_STOPPED_YET[name], strict=True))
        if name in NOT_STOPPED_YET
        else name
        for name in PLAIN[:-2]
    ],
)
def test_plain_nbgrader_with_the_course_config_stops_it_too(plain, attack):
    assert plain["totals"][attack] == 0
    if attack in IN_KERNEL:
        assert IN_KERNEL[attack] in plain["guard"][attack], plain["guard"][attack]
    if attack == "fork_bomb":
        assert plain["dead"][attack].startswith(forkbomb.ENDED), plain["dead"][attack]


def test_plain_nbgrader_with_the_course_config_grades_correct_work_and_leaks_nothing(plain):
    assert plain["totals"]["control"] == 14 and not plain["guard"]["control"]
    assert plain["totals"]["blank"] == 0 and not plain["guard"]["blank"]
    assert plain["connections"] == 0
    assert plain["written"] == []
