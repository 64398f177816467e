"""Where one submission is scored: a pure, independent job that builds its own temporary
nbgrader course (from the master, the course's ``nbgrader_config.py`` and the one submitted
file), runs ``generate_assignment``, ``autograde`` and ``generate_feedback`` in this process,
and returns a :class:`~cnncourse.grader.result.Result`.

The job's nbgrader configuration is a traitlets ``Config``: the course's ``nbgrader_config.py``
loaded as a file, plus the job's overrides (:func:`job_config`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from cnncourse.grader.result import CellScore, Flag, Result, Status
from cnncourse.grader.submission import (
    HUGE_FILE_BYTES,
    inspect_and_sanitize,
    manual_points,
    read_submission,
    test_points,
)

SCORED = "scored"  # made in the result folder once the notebook has run and been scored
RELEASES_VARIABLE = "CNN_GRADER_RELEASES"  # a folder the jobs of one batch share their releases in
STUDENT_ID = "student"  # the one student of a job's own course; the real name is in the result
EXECUTE_NAMES = ("Execute", "GuardedExecute")


class JobCancelled(Exception):
    """The batch went away while the job waited for its turn."""


def course_config(path: str | os.PathLike[str]) -> Config:
    """The traitlets config in the file ``path`` (a course's ``nbgrader_config.py``)."""
    path = Path(path)
    return PyFileConfigLoader(path.name, path=os.fspath(path.parent)).load_config()


def guarded_preprocessors(preprocessors: list[Any] | None) -> list[Any]:
    """An ``Autograde.autograde_preprocessors`` list with nbgrader's ``Execute`` (given as a
    class or an import path) replaced by ``GuardedExecute``; nbgrader's default list if None."""
    from nbgrader.converters import Autograde

    from cnncourse.grader.execute import GuardedExecute

    if preprocessors is None:
        preprocessors = list(Autograde.class_traits()["autograde_preprocessors"].default())
    named = [p if isinstance(p, str) else p.__name__ for p in preprocessors]
    return [
        GuardedExecute if name.rsplit(".", 1)[-1] in EXECUTE_NAMES else p
        for name, p in zip(named, preprocessors)
    ]


def job_config(
    config_file: str | os.PathLike[str],
    kernel_cwd: str | os.PathLike[str],
    timeout: int | None = None,
    isolation: str = "auto",
) -> Config:
    """The course's config with the job's overrides: its own course layout, the guarded
    executor running in ``kernel_cwd``, ``timeout`` seconds per cell (when given)."""
    config = course_config(config_file)
    overrides = Config()
    chosen = config.Autograde.get("autograde_preprocessors")
    overrides.Autograde.autograde_preprocessors = guarded_preprocessors(chosen)
    overrides.OverwriteCells.add_missing_cells = True
    overrides.CourseDirectory.source_directory = "solutions"
    overrides.CourseDirectory.release_directory = "course"
    overrides.GuardedExecute.kernel_cwd = os.fspath(kernel_cwd)
    overrides.GuardedExecute.isolation = isolation
    overrides.GuardedExecute.fork_kernels = False  # a batch gives its jobs its own zygote
    overrides.LimitOutput.max_lines = 1000
    overrides.GenerateFeedback.exporter_class = "cnncourse.grader.feedback.FeedbackExporter"
    if timeout is not None:
        overrides.Execute.timeout = int(timeout)
        overrides.GuardedExecute.timeout = int(timeout)
    config.merge(overrides)
    return config


def run_nbgrader(config: Config, root: Path, command: str, lesson: str, student: str = "") -> str:
    """Run one nbgrader step (``nbgrader COMMAND LESSON --force``, ``--create`` for autograde)
    in this process, on the course ``root`` with ``config``; return its log.

    Raises:
        RuntimeError: when nbgrader reports a failure (the message holds its log).
    """
    from cnncourse import grading

    return grading.nbgrader_in_process(root, command, lesson, student, config=config)


def make_release(config: Config, root: Path, lesson: str, shared: str | None = None) -> str:
    """The lesson's release and gradebook in the course ``root`` (``generate_assignment``).
    With ``shared``, a folder that the jobs of one batch share (same master, same config):
    copied from there when another job made them, else made and added there. Returns the
    step's name for the timings: ``generate_assignment`` or ``release_copied``."""
    made = Path(shared) / lesson if shared else None
    if made is not None and (made / "gradebook.db").is_file():
        shutil.copy(made / "gradebook.db", root / "gradebook.db")
        shutil.copytree(made / "course", root / "course")
        return "release_copied"
    run_nbgrader(config, root, "generate_assignment", lesson)
    if made is not None:
        staging = Path(tempfile.mkdtemp(prefix=".new-", dir=shared))
        shutil.copy(root / "gradebook.db", staging / "gradebook.db")
        shutil.copytree(root / "course", staging / "course")
        try:
            os.rename(staging, made)  # whole or not at all; the first job to finish wins
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return "generate_assignment"


def autograded_points(root: Path, lesson: str, student: str) -> dict[str, float]:
    """The autograded points of each graded cell in the gradebook (None counts as 0)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(lesson, student)
        return {
            grade.name: float(grade.score or 0.0)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def outcome(executed: Any) -> tuple[Status, list[Flag], list[str]]:
    """Status, extra flags and messages from nbgrader's autograded notebook."""
    from cnncourse.grader.execute import GUARD_ERROR, MAX_OUTPUT_CHARS, TRUNCATED

    found: dict[str, str] = {}
    flags: list[Flag] = []
    for index, cell in enumerate(executed.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.setdefault(output.ename, f"cell {index}: {output.ename}: {output.evalue}")
            if output.get("output_type") == "stream" and TRUNCATED in output.get("text", ""):
                if Flag.HUGE_OUTPUT not in flags:
                    flags.append(Flag.HUGE_OUTPUT)
    messages = []
    status = Status.OK
    for ename, name in (
        ("DeadKernelError", Status.CRASHED),
        ("MemoryError", Status.MEMORY_EXCEEDED),
        ("CellTimeoutError", Status.TIMED_OUT),
    ):
        if ename in found:
            status = name
            messages.append(found[ename])
            break
    if "SystemExit" in found:
        flags.append(Flag.SYS_EXIT)
        messages.append(found["SystemExit"])
    if GUARD_ERROR in found:
        flags.append(Flag.TAMPERED)
        messages.append(found[GUARD_ERROR])
    if Flag.HUGE_OUTPUT in flags:
        messages.append(f"output over {MAX_OUTPUT_CHARS} characters in a cell was cut")
    return status, flags, messages


def grade_submission(
    master: str | os.PathLike[str],
    config: str | os.PathLike[str],
    submission: str | os.PathLike[str],
    student: str,
    lesson: str,
    result_dir: str | os.PathLike[str],
    timeout: int | None = None,
    isolation: str = "auto",
    gate: Callable[[], bool] | None = None,
) -> Result:
    """Grade one submitted notebook in a temporary nbgrader course of its own.

    Reads only ``master`` (the lesson's master notebook), ``config`` (nbgrader_config.py) and
    ``submission``; writes ``result.json`` and, when graded, ``feedback.html`` into
    ``result_dir``. ``timeout`` overrides the per-cell ``Execute.timeout`` of the config;
    ``isolation`` (auto|required|none) is passed to the kernel's start.

    With a ``gate``, the job prepares everything it can ahead of its turn (its course, the
    release, the sanitized submission, a warm kernel: :mod:`cnncourse.grader.warm`), then calls
    ``gate()`` and runs the notebook once it returns True (False: the batch is gone; the job
    stops). The time spent waiting is not counted in the result's seconds. Once the notebook
    has run and its points are known, the file :data:`SCORED` appears in ``result_dir``; the
    feedback comes after it.
    """
    from cnncourse import grading
    from cnncourse.grader import execute, warm

    start = time.monotonic()
    result_dir = Path(result_dir)
    result_dir.mkdir(parents=True, exist_ok=True)
    result = Result(student, lesson, os.fspath(submission))
    master_nb = grading.read(master)
    result.tests = {t: CellScore(0.0, m) for t, m in test_points(master_nb).items()}
    result.max = sum(score.max for score in result.tests.values())
    result.manual = manual_points(master_nb)
    raw = Path(submission).read_bytes()
    nb, problem = read_submission(raw)

    def step(name: str, began: float) -> float:
        now = time.monotonic()
        result.steps[name] = round(now - began, 2)
        return now

    waited, warm_kernels = 0.0, []
    with tempfile.TemporaryDirectory(prefix="cnncourse-job-") as work:
        try:
            if nb is None:
                result.status = Status.UNREADABLE
                result.messages.append(problem)
                return result
            if len(raw) > HUGE_FILE_BYTES:
                result.flag(
                    Flag.HUGE_OUTPUT, f"the file is {len(raw) / 1e6:.1f} MB (outputs cleared)"
                )
            course = Path(work) / "course"
            kernel_cwd = Path(work) / "kernel"
            kernel_cwd.mkdir()
            (course / "solutions" / lesson).mkdir(parents=True)
            shutil.copy(master, course / "solutions" / lesson / f"{lesson}.ipynb")
            settings = job_config(config, kernel_cwd, timeout, isolation)
            began = step("read", start)
            import nbgrader.converters  # noqa: F401 -- timed on its own: a large import

            began = step("import_nbgrader", began)
            made = make_release(settings, course, lesson, os.environ.get(RELEASES_VARIABLE) or None)
            began = step(made, began)
            release = grading.read(course / "course" / lesson / f"{lesson}.ipynb")
            shutil.rmtree(course / "solutions")  # no solutions on disk while student code runs
            nb, flags, messages = inspect_and_sanitize(nb, release)
            for flag in flags:
                result.flag(flag)
            result.messages += messages
            target = course / "submitted" / STUDENT_ID / lesson / f"{lesson}.ipynb"
            target.parent.mkdir(parents=True)
            import nbformat

            nbformat.write(nb, os.fspath(target))
            shutil.copy(target, kernel_cwd / target.name)
            began = step("sanitize", began)
            if gate is not None:
                try:
                    warm_kernels.append(warm.start(master_nb, nb, settings, kernel_cwd, isolation))
                    execute.WARM.append(warm_kernels[-1])
                except RuntimeError as failure:  # a cold start, then
                    result.messages.append(str(failure)[:300])
                began = step("warm_kernel", began)
                if not gate():
                    raise JobCancelled("the batch stopped before this job's turn")
                waited = time.monotonic() - began
                began = time.monotonic()
            runs = len(execute.RUNS)
            run_nbgrader(settings, course, "autograde", lesson, STUDENT_ID)
            began = step("autograde", began)
            for run in execute.RUNS[runs:]:
                result.isolation = run["isolation"]
                if run["guard"]:
                    result.flag(Flag.TAMPERED)
                    result.messages += [f"guard: {p}" for p in run["guard"][:10]]
            executed = grading.read(course / "autograded" / STUDENT_ID / lesson / target.name)
            status, flags, messages = outcome(executed)
            if result.isolation == "bubblewrap":
                from cnncourse.grader.denials import denials

                refused = denials(executed)
                if refused:
                    result.flag(Flag.BLOCKED, "the sandbox refused: " + "; ".join(refused[:3]))
            result.status = status
            for flag in flags:
                result.flag(flag)
            result.messages += [m for m in messages if m not in result.messages]
            points = autograded_points(course, lesson, STUDENT_ID)
            for test_id, score in result.tests.items():
                score.points = float(points.get(test_id, 0.0))
            result.total = sum(score.points for score in result.tests.values())
            began = step("scores", began)
            (result_dir / SCORED).touch()  # the runner may start the next notebook now
            run_nbgrader(settings, course, "generate_feedback", lesson, STUDENT_ID)
            step("generate_feedback", began)
            feedback = course / "feedback" / STUDENT_ID / lesson / f"{lesson}.html"
            if feedback.is_file():
                shutil.copy(feedback, result_dir / "feedback.html")
                result.feedback = "feedback.html"
        except Exception as failure:  # the grader failed: report it, never lose the row
            result.status = Status.ERROR
            result.messages.append(f"{type(failure).__name__}: {str(failure)[-2000:]}")
        finally:
            execute.WARM.clear()  # nbclient leaves a kernel it did not start running
            for km, _ in warm_kernels:
                warm.stop(km)
            result.seconds = round(time.monotonic() - start - waited, 2)
            result.write(result_dir / "result.json")
    return result
