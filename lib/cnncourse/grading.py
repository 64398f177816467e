"""Release and grade lessons with nbgrader, and judge executed notebooks as nbgrader does.

Thin wrappers over nbgrader's own commands (run in a subprocess, so that each gets a clean
configuration) and its gradebook. Used by the instructor's commands in the README and by the
test suite's grading proof. :func:`nbgrader_in_process` runs the same steps inside the calling
process, for a process that exists to grade one submission (``cnncourse.classgrade``'s jobs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

NOTEBOOK_VERSION = 4


def lessons(root: str | os.PathLike[str]) -> list[str]:
    """The lesson folders under ``root/solutions`` (each ``NN-slug/NN-slug.ipynb``), sorted."""
    source = Path(root) / "solutions"
    return sorted(
        folder.name
        for folder in source.iterdir()
        if folder.is_dir() and (folder / f"{folder.name}.ipynb").is_file()
    )


def nbgrader(root: str | os.PathLike[str], *args: str, timeout: float = 1800) -> str:
    """Run ``nbgrader *args`` in the course ``root``; return its log, raise on failure."""
    # nbgrader runs helper programs (alembic) by name: put this environment's bin/ first.
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{log}")
    return log


CONVERTERS = {
    "generate_assignment": "GenerateAssignment",
    "autograde": "Autograde",
    "generate_feedback": "GenerateFeedback",
}


def new_gradebook(path: str | os.PathLike[str]) -> Path:
    """Create an empty nbgrader gradebook (SQLite) at ``path``, unless one is there.

    Makes the same database ``nbgrader.api.Gradebook`` makes on first use, but reads the schema
    version with alembic's Python API instead of running the ``alembic`` program, which costs a
    Python start-up and about 2 s for every new gradebook. Returns ``path``.
    """
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from nbgrader.dbutil import ALEMBIC_DIR
    from sqlalchemy import create_engine, inspect, text

    path = Path(path)
    engine = create_engine(f"sqlite:///{path.resolve()}", future=True)
    try:
        if inspect(engine).get_table_names():
            return path
        head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            )
            connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    finally:
        engine.dispose()
    return path


def nbgrader_in_process(
    root: str | os.PathLike[str],
    command: str,
    lesson: str,
    student: str = "",
    config: Any = None,
) -> str:
    """Run one nbgrader step in this Python process, as ``nbgrader COMMAND LESSON --force``
    (``--create`` for autograde) does in the course ``root``; return its log.

    ``command`` is ``"generate_assignment"``, ``"autograde"`` or ``"generate_feedback"``;
    ``student`` limits autograde and feedback to one student. ``config`` is the configuration
    to use (the class grader's job builds its own); by default only ``root/nbgrader_config.py``
    is read (no user-wide Jupyter configuration). Much cheaper than :func:`nbgrader` (no new
    Python process, no ``alembic`` program): meant for a process that grades one submission,
    where nbgrader's global state cannot leak into anything else.

    Raises:
        ValueError: for an unknown ``command``.
        RuntimeError: when nbgrader reports a failure (the message holds its log).
    """
    if command not in CONVERTERS:
        raise ValueError(f"unknown nbgrader step {command!r}; use one of {', '.join(CONVERTERS)}")
    from nbgrader import converters
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    root = Path(root).resolve()
    if config is None:
        config = course_config(root)
    else:
        from traitlets.config import Config

        config = Config(config)
    config.CourseDirectory.root = os.fspath(root)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = lesson
    if student:
        coursedir.student_id = student
    if coursedir.db_url == f"sqlite:///{root / 'gradebook.db'}":
        new_gradebook(root / "gradebook.db")
    app = getattr(converters, CONVERTERS[command])(coursedir=coursedir, config=config)
    app.force = True
    if command == "autograde":
        app.create_student = True
    outcome = capture_log(app)
    log = outcome.get("log", "")
    if not outcome.get("success"):
        raise RuntimeError(f"nbgrader {command} {lesson} failed:\n{log}{outcome.get('error', '')}")
    return log


def release(root: str | os.PathLike[str], lesson: str) -> Path:
    """``nbgrader generate_assignment``: write ``course/<lesson>`` from ``solutions/<lesson>``."""
    nbgrader(root, "generate_assignment", lesson, "--force")
    return Path(root) / "course" / lesson


def autograde(root: str | os.PathLike[str], lesson: str) -> str:
    """``nbgrader autograde`` every submission of ``lesson`` under ``root/submitted``."""
    return nbgrader(root, "autograde", lesson, "--create", "--force")


def generate_feedback(root: str | os.PathLike[str], lesson: str) -> str:
    """``nbgrader generate_feedback``: HTML feedback under ``root/feedback``."""
    return nbgrader(root, "generate_feedback", lesson, "--force")


def scores(root: str | os.PathLike[str], lesson: str) -> dict[str, dict[str, float]]:
    """Autograded points from the gradebook: ``{student: {grade_id: points}}``."""
    from nbgrader.api import Gradebook

    database = f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"
    result: dict[str, dict[str, float]] = {}
    with Gradebook(database) as gradebook:
        assignment = gradebook.find_assignment(lesson)
        for submission in assignment.submissions:
            grades = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grades[grade.name] = float(grade.score)
            result[submission.student.id] = grades
    return result


def read(path: str | os.PathLike[str]) -> NotebookNode:
    """Read a notebook."""
    return nbformat.read(os.fspath(path), as_version=NOTEBOOK_VERSION)


def nbgrader_cells(nb: NotebookNode, kind: str) -> dict[str, NotebookNode]:
    """The notebook's nbgrader cells by ``grade_id``.

    ``kind`` is ``"solution"`` (autograded answer cells), ``"test"`` (graded test cells) or
    ``"locked"`` (read-only cells that are neither).
    """
    cells = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta:
            continue
        is_kind = {
            "solution": meta.get("solution") and not meta.get("grade"),
            "test": meta.get("grade") and not meta.get("solution") and cell.cell_type == "code",
            "locked": meta.get("locked") and not meta.get("grade") and not meta.get("solution"),
        }[kind]
        if is_kind:
            cells[meta["grade_id"]] = cell
    return cells


def course_config(root: str | os.PathLike[str]) -> Any:
    """The traitlets config in ``root/nbgrader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=os.fspath(root)).load_config()


def execute_as_autograder(
    nb: NotebookNode, cwd: str | os.PathLike[str], config: Any | None = None
) -> NotebookNode:
    """Execute ``nb`` the way ``nbgrader autograde`` does, with the course's settings.

    Uses nbgrader's own ``Execute`` and ``IgnorePattern`` preprocessors, in a kernel that
    sees ``NBGRADER_EXECUTION=autograde``. Errors do not stop execution. Returns a new
    notebook with outputs.
    """
    from nbgrader.preprocessors import Execute, IgnorePattern
    from nbgrader.utils import setenv

    nb = nbformat.from_dict(nb)
    resources = {"metadata": {"path": os.fspath(cwd)}}
    with setenv(NBGRADER_EXECUTION="autograde"):
        nb, resources = Execute(config=config).preprocess(nb, resources)
    nb, resources = IgnorePattern(config=config).preprocess(nb, resources)
    return nb


def judge(nb: NotebookNode) -> dict[str, tuple[float, float, str]]:
    """Score an executed notebook's test cells as nbgrader does.

    Returns ``{grade_id: (points, max_points, feedback)}`` where feedback is the text of the
    cell's error and stderr outputs (what the student sees next to a failed test).
    """
    return {grade_id: verdict(cell, None) for grade_id, cell in nbgrader_cells(nb, "test").items()}


CHECK_OUTPUT_TAG = "nbval-check-output"


def record_checked_outputs(path: str | os.PathLike[str], timeout: int = 600) -> list[int]:
    """Execute a master notebook in fast mode and store only its checked outputs.

    Cells tagged ``nbval-check-output`` keep the outputs that ``pytest --nbval-lax`` will
    compare against; every other output and execution count is removed, so the committed
    notebook stays small and diffable. Returns the indices of the cells whose outputs were kept.

    Raises:
        RuntimeError: if a cell fails (a master notebook must run cleanly).
    """
    from nbclient import NotebookClient

    path = Path(path)
    nb = read(path)
    previous = os.environ.get("CNN_COURSE_MODE")
    os.environ["CNN_COURSE_MODE"] = "fast"
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            resources={"metadata": {"path": str(path.parent)}},
            kernel_name="python3",
        ).execute()
    except Exception as error:
        raise RuntimeError(f"{path} does not run cleanly in fast mode: {error}") from error
    finally:
        if previous is None:
            os.environ.pop("CNN_COURSE_MODE", None)
        else:
            os.environ["CNN_COURSE_MODE"] = previous
    kept = []
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)  # nbclient's timestamps: noise in every diff
        if cell.cell_type != "code":
            continue
        if CHECK_OUTPUT_TAG in cell.metadata.get("tags", []):
            kept.append(index)
            cell.outputs = [o for o in cell.outputs if o.output_type != "display_data"]
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, os.fspath(path))
    return kept


def verdict(cell: NotebookNode, config: Any | None) -> tuple[float, float, str]:
    """nbgrader's verdict on one executed test cell, after its IgnorePattern filter:
    ``(points, max_points, feedback)``, feedback being the cell's error and stderr text."""
    from nbgrader.preprocessors import IgnorePattern
    from nbgrader.utils import determine_grade

    cell, _ = IgnorePattern(config=config).preprocess_cell(cell, {}, 0)
    points, max_points = determine_grade(cell)
    feedback = []
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            feedback.append(f"{output.ename}: {output.evalue}")
            feedback.extend(output.get("traceback", []))
        elif output.output_type == "stream" and output.name == "stderr":
            feedback.append(output.text)
    return float(points or 0.0), float(max_points), "\n".join(feedback)
