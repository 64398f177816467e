"""Grade a whole class with nbgrader in one command, robust to bad and hostile submissions.

Instructors::

    python -m cnncourse.classgrade SUBMISSIONS_DIR OUTPUT_DIR [--lessons 00-getting-started ...]
        [--jobs N] [--timeout S] [--job-timeout S] [--memory-mb M] [--course ROOT]

Students::

    python -m cnncourse.classgrade validate NOTEBOOK

One submission is one pure, independent job (:func:`grade_submission`, or on the command line
``python -m cnncourse.classgrade job ...``): from the lesson's master notebook, the course's
``nbgrader_config.py`` and the one submitted file it builds its own temporary nbgrader course
(``generate_assignment``, ``autograde --create``, ``generate_feedback``, run inside the job's
process rather than as three nbgrader programs) and returns a JSON result. The batch
(:func:`grade_class`) runs jobs in parallel, each in its own process group with a data-memory
limit and a wall-clock limit, caches results by content, and writes ``grades.csv``,
``feedback/``, ``report.html`` and ``histogram.png``.

What the job defends against, and what it cannot
-----------------------------------------------
nbgrader restores the locked and test cells (with their hidden tests) and their metadata from
its gradebook; the job also restores every nbgrader cell's metadata and the kernel name from
the release before nbgrader sees the notebook, and flags what it changed. Before every graded
test cell the kernel runs a hidden restoration cell that puts back NumPy (every ``numpy.*``
module's attributes and functions' code), ``cnncourse.checks``, the builtins and the names
``np``/``numpy``/``checks`` as they were before any student code ran; after the test cell a
hidden check verifies they are still intact, and if not the cell gets an error (no points) and
the submission is flagged ``tampered``. ``cnncourse.checks`` also keeps its own references to
the NumPy functions it uses. The master's solutions are not in the job's course when the kernel
runs, and the kernel's working folder holds only the submission.

These are in-process defenses: the student's code runs in the same Python process as the tests,
so a determined student can defeat them (for example by patching something the guard does not
snapshot, undoing a patch before a test cell ends, or reading any file the grading user can
read, such as the instructor's repository by its absolute path or the job's gradebook with the
hidden tests). What stops that is OS-level isolation: run each job in a container (or as a user)
that can read only the master release and the one submission, with no network. The job is a
single command for exactly that reason.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STATUSES = (
    "ok",  # graded; flags may still ask for attention
    "timed_out",  # a cell ran past the per-cell timeout, or the job past its wall-clock limit
    "memory_exceeded",  # a cell hit the memory limit (MemoryError)
    "crashed",  # the kernel died (os._exit, a segfault, the OOM killer)
    "unreadable",  # empty file, malformed JSON, not a notebook
    "missing",  # a student's folder without the expected notebook
    "unrecognized",  # a file that is no lesson's submission
    "error",  # the grader itself failed; the message says why
)
FLAGS = ("tampered", "wrong_kernel", "huge_output", "sys_exit", "blocked")
HUGE_FILE_BYTES = 2_000_000
MAX_OUTPUT_CHARS = 100_000
TRUNCATED = "\n... output truncated by the grader ...\n"
GUARD_ERROR = "GraderGuardError"
# Data memory per job. A correct 07-classic-architectures submission needs more than 5120 MB
# (building the 201.8M-parameter AlexNet) and is graded "crashed" with 3/16 points below 6144.
DEFAULT_MEMORY_MB = 8192
ISOLATION_MODES = ("auto", "required", "none")  # see cnncourse.grader.sandbox.resolve
STUDENT_ID = "student"  # the one student of a job's own course; the real name is in the result
JOB_VERSION = "3"  # part of the cache key: bump when the job's behaviour changes


# ---------------------------------------------------------------------------------------------
# The kernel guard: source run inside the student's kernel by GuardedExecute.
# ---------------------------------------------------------------------------------------------

GUARD_SETUP = r"""
def _cnncourse_make_guard():
    import builtins, sys, types
    import numpy
    import cnncourse.checks
    modules = {n: m for n, m in list(sys.modules.items())
               if m is not None and (n == "numpy" or n.startswith("numpy."))}
    modules["cnncourse.checks"] = cnncourse.checks
    names = {"np": numpy, "numpy": numpy, "checks": cnncourse.checks}
    shadows = ("isinstance", "type", "tuple", "list", "len", "range", "int", "float", "bool",
               "str", "repr", "abs", "all", "any", "zip", "AssertionError", "Exception",
               "ValueError", "TypeError")
    saved = {n: dict(vars(m)) for n, m in modules.items()}
    code = {(n, k): (f.__code__, f.__defaults__, f.__kwdefaults__)
            for n, d in saved.items() for k, f in d.items() if type(f) is types.FunctionType}
    pristine_builtins = {k: v for k, v in vars(builtins).items()
                         if (isinstance(v, type) or type(v) is types.BuiltinFunctionType)
                         and k not in ("input", "raw_input")}  # ipykernel swaps these

    def problems(ns):
        found = []
        for n, m in modules.items():
            if sys.modules.get(n) is not m:
                found.append(f"sys.modules[{n!r}] was replaced")
            current = vars(m)
            found += [f"{n}.{k} was changed" for k, v in saved[n].items()
                      if current.get(k) is not v]
            found += [f"{n}.{k} shadows a builtin" for k in current
                      if k not in saved[n] and k in pristine_builtins]
        for (n, k), (c, d, kd) in code.items():
            f = saved[n][k]
            if (f.__code__, f.__defaults__, f.__kwdefaults__) != (c, d, kd):
                found.append(f"the code of {n}.{k} was changed")
        now = vars(builtins)
        found += [f"builtins.{k} was changed" for k, v in pristine_builtins.items()
                  if now.get(k) is not v]
        found += [f"the name {k!r} was rebound" for k, m in names.items()
                  if k in ns and ns[k] is not m]
        found += [f"the name {k!r} shadows a builtin" for k in shadows if k in ns]
        return found

    def restore(ns):
        for n, m in modules.items():
            sys.modules[n] = m
            current = vars(m)
            for k, v in saved[n].items():
                if current.get(k) is not v:
                    current[k] = v
            for k in [k for k in current if k not in saved[n] and k in pristine_builtins]:
                del current[k]
        for (n, k), (c, d, kd) in code.items():
            f = saved[n][k]
            f.__code__, f.__defaults__, f.__kwdefaults__ = c, d, kd
        now = vars(builtins)
        for k, v in pristine_builtins.items():
            if now.get(k) is not v:
                now[k] = v
        for k, m in names.items():
            if k in ns:
                ns[k] = m
        for k in shadows:
            ns.pop(k, None)

    guard = types.ModuleType("_cnncourse_guard")
    guard.problems, guard.restore = problems, restore
    sys.modules["_cnncourse_guard"] = guard


_cnncourse_make_guard()
del _cnncourse_make_guard
"""
GUARD_RESTORE = "__import__('sys').modules['_cnncourse_guard'].restore(globals())"
GUARD_VERIFY = r"""
_cnncourse_problems = __import__('sys').modules['_cnncourse_guard'].problems(globals())
if _cnncourse_problems:
    raise RuntimeError("; ".join(_cnncourse_problems[:5]))
del _cnncourse_problems
"""


def _guarded_execute_class() -> type:
    """nbgrader's ``Execute`` with the guard, an output cap and crash handling (built lazily,
    so that importing this module does not import nbgrader)."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat import NotebookNode
    from nbgrader.preprocessors import Execute
    from nbgrader.utils import is_grade
    from traitlets import Unicode

    def error(ename: str, evalue: str) -> NotebookNode:
        return nbformat.v4.new_output(
            "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
        )

    class GuardedExecute(Execute):
        """Execute that restores pristine helpers before each graded test cell and verifies
        them after it; caps each cell's stream output; marks the rest of the notebook when
        the kernel dies instead of failing the whole submission."""

        kernel_cwd = Unicode("", help="Folder the kernel runs in (holds only the submission).")
        kernel_cwd.tag(config=True)

        def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
            if self.kernel_cwd:
                resources = dict(resources or {})
                resources["metadata"] = dict(resources.get("metadata", {}), path=self.kernel_cwd)
            self._guarded = False
            self._dead = False
            return super().preprocess(nb, resources, km)

        def _hidden(self, source: str) -> str:
            """Run bookkeeping code in the kernel; return its error text ('' when none)."""
            cell = nbformat.v4.new_code_cell(source)
            self.nb.cells.append(cell)
            try:
                self.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
            finally:
                self.nb.cells.pop()
            return "; ".join(
                f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"
            )

        def output(self, outs: Any, msg: Any, display_id: Any, cell_index: int) -> Any:
            out = super().output(outs, msg, display_id, cell_index)
            size = 0
            for o in outs:
                if o.get("output_type") != "stream" or o.get("text", "").endswith(TRUNCATED):
                    continue
                if size + len(o.text) > MAX_OUTPUT_CHARS:
                    o.text = o.text[: max(MAX_OUTPUT_CHARS - size, 0)] + TRUNCATED
                size += len(o.text)
            return out

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            if cell.cell_type != "code":
                return cell, resources
            if self._dead:
                cell.outputs = [error("DeadKernelError", "the kernel died or hung earlier")]
                return cell, resources
            graded = is_grade(cell)
            try:
                if not self._guarded:
                    self._guarded = True
                    problem = self._hidden(GUARD_SETUP)
                    if problem:
                        self.log.warning("the grader's guard did not start: %s", problem)
                if graded:
                    problem = self._hidden(GUARD_RESTORE)
                    if problem:
                        cell.outputs = [error(GUARD_ERROR, f"cannot restore helpers: {problem}")]
                        return cell, resources
                cell, resources = super().preprocess_cell(cell, resources, index)
                if graded:
                    problem = self._hidden(GUARD_VERIFY)
                    if problem:
                        cell.outputs.append(error(GUARD_ERROR, f"helpers changed: {problem}"))
            except (DeadKernelError, CellTimeoutError) as dead:  # the kernel died or hangs
                self._dead = True
                name = type(dead).__name__
                cell.outputs = list(cell.get("outputs", [])) + [error(name, str(dead)[:300])]
            return cell, resources

    return GuardedExecute


def __getattr__(name: str) -> Any:
    """``cnncourse.classgrade.GuardedExecute``, built on first use (nbgrader config imports it)."""
    if name == "GuardedExecute":
        cls = _guarded_execute_class()
        globals()["GuardedExecute"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------
# One submission: a pure, independent job.
# ---------------------------------------------------------------------------------------------

JOB_CONFIG = """

# ---- added by cnncourse.classgrade for one grading job ----
from cnncourse.classgrade import GuardedExecute as _GuardedExecute
from nbconvert.preprocessors import ClearMetadataPreprocessor as _ClearMetadata
from nbgrader import preprocessors as _pp

# nbgrader's own list (nbgrader 0.9.6), with Execute replaced by the guarded one.
c.Autograde.autograde_preprocessors = [
    _GuardedExecute, _pp.IgnorePattern, _ClearMetadata, _pp.LimitOutput, _pp.SaveAutoGrades,
    _pp.AssignLatePenalties, _pp.CheckCellMetadata,
]
c.OverwriteCells.add_missing_cells = True
c.CourseDirectory.source_directory = "solutions"  # the job's own course layout
c.CourseDirectory.release_directory = "course"
c.GuardedExecute.kernel_cwd = {kernel_cwd!r}
c.LimitOutput.max_lines = 1000
"""
SANDBOX_CONFIG = """
# The student's kernel runs in cnncourse.grader.sandbox (OS isolation).
c.GuardedExecute.kernel_manager_class = "cnncourse.grader.sandbox.SandboxedKernelManager"
c.SandboxedKernelManager.sandbox_folder = {folder!r}
"""


def new_result(student: str, lesson: str, source: str) -> dict[str, Any]:
    """An empty result row: nothing graded yet."""
    return {
        "student": student,
        "lesson": lesson,
        "source": source,
        "status": "error",
        "flags": [],
        "messages": [],
        "tests": {},
        "total": 0.0,
        "max": 0.0,
        "feedback": None,
        "seconds": 0.0,
    }


def test_points(nb: Any) -> dict[str, float]:
    """Max points of each graded test cell of a notebook, in notebook order."""
    from cnncourse import grading

    return {
        grade_id: float(cell.metadata.nbgrader.get("points", 0))
        for grade_id, cell in grading.nbgrader_cells(nb, "test").items()
    }


def read_submission(raw: bytes) -> tuple[Any | None, str]:
    """Parse submitted bytes as a notebook; return ``(notebook, "")`` or ``(None, reason)``."""
    import nbformat

    if not raw.strip():
        return None, "the file is empty"
    try:
        data = json.loads(raw.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        return None, f"the file is not valid JSON ({problem}); it may be damaged or not a notebook"
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return None, "the file is JSON but not a Jupyter notebook (no cells)"
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
        nbformat.validate(nb)
    except Exception as problem:  # nbformat raises many kinds
        return None, f"the notebook does not validate ({str(problem).splitlines()[0][:200]})"
    return nb, ""


def inspect_and_sanitize(nb: Any, release: Any) -> tuple[Any, list[str], list[str]]:
    """Compare a submission with the release, restore nbgrader metadata and the kernel.

    Returns ``(sanitized notebook, flags, messages)``. Test and locked cell sources are left
    for nbgrader, which restores them (with their hidden tests) from its gradebook.
    """
    import copy

    flags: list[str] = []
    messages: list[str] = []
    wanted = {
        cell.metadata.nbgrader["grade_id"]: cell
        for cell in release.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    }
    keys = ("grade", "solution", "locked", "points", "task")
    seen: set[str] = set()
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta:
            continue
        grade_id = meta.get("grade_id")
        if grade_id not in wanted or grade_id in seen:
            messages.append(f"cell {grade_id!r} is not a cell of the lesson (or a duplicate)")
            del cell.metadata["nbgrader"]
            continue
        seen.add(grade_id)
        master = wanted[grade_id]
        if cell.cell_type != master.cell_type or any(
            meta.get(k) != master.metadata.nbgrader.get(k) for k in keys
        ):
            messages.append(f"the nbgrader metadata of cell {grade_id!r} was edited (restored)")
        elif master.metadata.nbgrader.get("locked") and cell.source != master.source:
            messages.append(f"the locked cell {grade_id!r} was edited (restored from the master)")
        cell.metadata["nbgrader"] = copy.deepcopy(master.metadata.nbgrader)
        if cell.cell_type != master.cell_type:
            cell.cell_type = master.cell_type
            if master.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
    for grade_id in wanted:
        if grade_id not in seen:
            messages.append(f"cell {grade_id!r} was deleted (restored from the master)")
    if messages:
        flags.append("tampered")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    expected = release.metadata.get("kernelspec", {}).get("name", "python3")
    if kernel != expected:
        flags.append("wrong_kernel")
        messages.append(f"kernel {kernel!r} in the metadata; graded with {expected!r}")
    nb.metadata["kernelspec"] = copy.deepcopy(release.metadata.get("kernelspec", {}))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb, flags, messages


def outcome(executed: Any) -> tuple[str, list[str], list[str]]:
    """Status, extra flags and messages from nbgrader's autograded notebook."""
    found: dict[str, str] = {}
    flags: list[str] = []
    for index, cell in enumerate(executed.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.setdefault(output.ename, f"cell {index}: {output.ename}: {output.evalue}")
            if output.get("output_type") == "stream" and TRUNCATED in output.get("text", ""):
                if "huge_output" not in flags:
                    flags.append("huge_output")
    messages = []
    status = "ok"
    for ename, name in (
        ("DeadKernelError", "crashed"),
        ("MemoryError", "memory_exceeded"),
        ("CellTimeoutError", "timed_out"),
    ):
        if ename in found:
            status = name
            messages.append(found[ename])
            break
    if "SystemExit" in found:
        flags.append("sys_exit")
        messages.append(found["SystemExit"])
    if GUARD_ERROR in found:
        flags.append("tampered")
        messages.append(found[GUARD_ERROR])
    if "huge_output" in flags:
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
) -> dict[str, Any]:
    """Grade one submitted notebook in a temporary nbgrader course of its own.

    Reads only ``master`` (the lesson's master notebook), ``config`` (nbgrader_config.py) and
    ``submission``; writes ``result.json`` and, when graded, ``feedback.html`` into
    ``result_dir``. ``timeout`` overrides the per-cell ``Execute.timeout`` of the config.
    ``isolation`` (auto, required, none) says whether the kernel runs in the OS sandbox
    (:mod:`cnncourse.grader.sandbox`); the result records which was used.
    Returns the result (see :func:`new_result`).
    """
    from cnncourse import grading
    from cnncourse.grader import sandbox

    start = time.monotonic()
    result_dir = Path(result_dir)
    result_dir.mkdir(parents=True, exist_ok=True)
    result = new_result(student, lesson, os.fspath(submission))
    used, note = sandbox.resolve(isolation)
    result["isolation"] = used
    if note:
        result["messages"].append(note)
    master_nb = grading.read(master)
    maximum = test_points(master_nb)
    result["max"] = sum(maximum.values())
    result["tests"] = {t: {"points": 0.0, "max": m} for t, m in maximum.items()}
    raw = Path(submission).read_bytes()
    nb, problem = read_submission(raw)
    steps = result["steps"] = {}  # seconds spent in each part of the job (for benchmarks)

    def step(name: str, began: float) -> float:
        now = time.monotonic()
        steps[name] = round(now - began, 2)
        return now

    with tempfile.TemporaryDirectory(prefix="cnncourse-job-") as work:
        try:
            if nb is None:
                result["status"] = "unreadable"
                result["messages"].append(problem)
                return result
            if len(raw) > HUGE_FILE_BYTES:
                result["flags"].append("huge_output")
                result["messages"].append(f"the file is {len(raw) / 1e6:.1f} MB (outputs cleared)")
            course = Path(work) / "course"
            kernel_cwd = Path(work) / "kernel"
            kernel_cwd.mkdir()
            (course / "solutions" / lesson).mkdir(parents=True)
            shutil.copy(master, course / "solutions" / lesson / f"{lesson}.ipynb")
            job_config = Path(config).read_text() + JOB_CONFIG.format(kernel_cwd=str(kernel_cwd))
            if used == sandbox.BUBBLEWRAP:
                job_config += SANDBOX_CONFIG.format(folder=str(Path(work) / "sandbox"))
            if timeout is not None:
                job_config += f"c.Execute.timeout = {int(timeout)}\n"
            (course / "nbgrader_config.py").write_text(job_config)
            began = step("read", start)
            import nbgrader.converters  # noqa: F401 -- timed on its own: a large import

            began = step("import_nbgrader", began)
            grading.nbgrader_in_process(course, "generate_assignment", lesson)
            began = step("generate_assignment", began)
            release = grading.read(course / "course" / lesson / f"{lesson}.ipynb")
            shutil.rmtree(course / "solutions")  # no solutions on disk while student code runs
            nb, flags, messages = inspect_and_sanitize(nb, release)
            result["flags"] += flags
            result["messages"] += messages
            target = course / "submitted" / STUDENT_ID / lesson / f"{lesson}.ipynb"
            target.parent.mkdir(parents=True)
            import nbformat

            nbformat.write(nb, os.fspath(target))
            shutil.copy(target, kernel_cwd / target.name)
            began = step("sanitize", began)
            grading.nbgrader_in_process(course, "autograde", lesson, STUDENT_ID)
            began = step("autograde", began)
            executed = grading.read(course / "autograded" / STUDENT_ID / lesson / target.name)
            status, flags, messages = outcome(executed)
            refused = sandbox.denials(executed) if used == sandbox.BUBBLEWRAP else []
            if refused:
                flags.append("blocked")
                messages.append("the sandbox refused: " + "; ".join(refused[:3]))
            result["status"] = status
            result["flags"] += [f for f in flags if f not in result["flags"]]
            result["messages"] += messages
            points = grading.scores(course, lesson).get(STUDENT_ID, {})
            for test_id, entry in result["tests"].items():
                entry["points"] = float(points.get(test_id, 0.0))
            result["total"] = sum(entry["points"] for entry in result["tests"].values())
            began = step("scores", began)
            grading.nbgrader_in_process(course, "generate_feedback", lesson, STUDENT_ID)
            step("generate_feedback", began)
            feedback = course / "feedback" / STUDENT_ID / lesson / f"{lesson}.html"
            if feedback.is_file():
                shutil.copy(feedback, result_dir / "feedback.html")
                result["feedback"] = "feedback.html"
        except Exception as failure:  # the grader failed: report it, never lose the row
            result["status"] = "error"
            result["messages"].append(f"{type(failure).__name__}: {str(failure)[-2000:]}")
        finally:
            result["seconds"] = round(time.monotonic() - start, 2)
            write_json(result_dir / "result.json", result)
    return result


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (a reader never sees half a file)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(temporary, path)


def limit_memory(memory_mb: int) -> None:
    """Cap this process's data segment (inherited by nbgrader and the kernel).

    RLIMIT_DATA, not RLIMIT_AS: TensorFlow reserves about 2 GB of address space it never uses
    (its import needs ~0.5 GB of data), so an address-space limit low enough to stop a bomb
    breaks ``import tensorflow``. A data limit counts what a program really allocates.
    """
    import resource

    limit = int(memory_mb) * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


# ---------------------------------------------------------------------------------------------
# The class: find the submissions, run the jobs, write the outputs.
# ---------------------------------------------------------------------------------------------


def safe_name(name: str) -> str:
    """A student or lesson name usable as a file name."""
    cleaned = re.sub(r"[^\w.@+-]", "_", name).strip("._")
    return cleaned or "unnamed"


IGNORED = {"timestamp.txt", ".DS_Store", "Thumbs.db"}


def discover(
    folder: str | os.PathLike[str], known: list[str], wanted: list[str] | None = None
) -> list[dict[str, Any]]:
    """Every input under ``folder``: ``{student, lesson, path, status}`` rows.

    Layouts: ``[submitted/]<student>/<lesson>/<lesson>.ipynb`` (nbgrader), ``<student>/
    <lesson>.ipynb`` and ``<student>_<lesson>.ipynb`` (LMS exports). ``status`` is ``None`` for
    a file to grade, ``"missing"`` for a student without a lesson's notebook (every student
    gets a row for every lesson wanted, or seen when ``wanted`` is None) and ``"unrecognized"``
    for any other file.
    """
    folder = Path(folder)
    if (folder / "submitted").is_dir():
        folder = folder / "submitted"
    found: dict[tuple[str, str], Path] = {}
    others: list[Path] = []
    folders: dict[tuple[str, str], Path] = {}
    students: set[str] = set()
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") or p in IGNORED for p in parts) or "__pycache__" in parts:
            continue
        if path.is_dir():
            if len(parts) == 1:
                students.add(parts[0])
            elif len(parts) == 2 and parts[1] in known:
                folders[parts[0], parts[1]] = path
            continue
        key = None
        if len(parts) == 3 and parts[1] in known and parts[2] == f"{parts[1]}.ipynb":
            key = (parts[0], parts[1])
        elif len(parts) == 2 and path.suffix == ".ipynb" and path.stem in known:
            key = (parts[0], path.stem)
        elif len(parts) == 1 and path.suffix == ".ipynb":
            for lesson in known:
                if path.stem.endswith(f"_{lesson}") and len(path.stem) > len(lesson) + 1:
                    key = (path.stem[: -len(lesson) - 1], lesson)
        if key is None or key in found:
            others.append(path)
        else:
            found[key] = path
            students.add(key[0])
    lessons = list(wanted) if wanted else sorted({lesson for _, lesson in found})
    lessons += sorted({lesson for _, lesson in folders} - set(lessons)) if not wanted else []
    rows = []
    for student in sorted(students):
        for lesson in lessons:
            if (student, lesson) in found:
                rows.append(dict(student=student, lesson=lesson, path=found[student, lesson]))
                continue
            where = folders.get((student, lesson), folder / student)
            files = sorted(p.name for p in where.glob("*")) if where.is_dir() else []
            message = f"no {lesson}.ipynb for {student}" + (
                f" (the folder holds {', '.join(files[:5])})" if files else ""
            )
            rows.append(dict(student=student, lesson=lesson, path=where, status="missing",
                             message=message))  # fmt: skip
    for path in others:
        if any(path.parent == where for where in folders.values()):
            continue  # listed in that student's "missing" row
        if wanted and not any(lesson in str(path) for lesson in wanted):
            if any(lesson in str(path) for lesson in known):
                continue  # another lesson's file, not asked for
        relative = path.relative_to(folder)
        rows.append(
            dict(
                student=relative.parts[0] if len(relative.parts) > 1 else "",
                lesson="",
                path=path,
                status="unrecognized",
                message=f"{relative}: not <student>/<lesson>/<lesson>.ipynb, "
                "<student>/<lesson>.ipynb or <student>_<lesson>.ipynb for a known lesson",
            )
        )
    return [row for row in rows if row.get("status") != "missing" or row["lesson"] in lessons]


def cache_key(submission: bytes, master: bytes, config: bytes, options: str) -> str:
    """sha256 of everything a result depends on."""
    digest = hashlib.sha256()
    for part in (JOB_VERSION.encode(), options.encode(), config, master, submission):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def run_job(
    master: Path,
    config: Path,
    row: dict[str, Any],
    result_dir: Path,
    timeout: int | None,
    job_timeout: float,
    memory_mb: int,
    isolation: str = "auto",
) -> dict[str, Any]:
    """Run :func:`grade_submission` in a new process group, under a memory limit; kill the
    whole group after ``job_timeout`` seconds. Returns the job's result."""
    command = [
        sys.executable, "-m", "cnncourse.classgrade", "job",
        "--master", str(master), "--config", str(config), "--submission", str(row["path"]),
        "--student", row["student"], "--lesson", row["lesson"], "--result-dir", str(result_dir),
        "--memory-mb", str(memory_mb), "--isolation", isolation,
    ] + (["--timeout", str(timeout)] if timeout else [])  # fmt: skip
    result_dir.mkdir(parents=True, exist_ok=True)
    (result_dir / "result.json").unlink(missing_ok=True)
    start = time.monotonic()
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with open(result_dir / "job.log", "wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        try:
            process.wait(timeout=job_timeout)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the kernel and anything it started
            except ProcessLookupError:
                pass
            process.wait()
    path = result_dir / "result.json"
    if path.is_file() and not killed:
        return json.loads(path.read_text())
    result = new_result(row["student"], row["lesson"], str(row["path"]))
    if killed:
        result["status"] = "timed_out"
        result["messages"].append(f"the job ran over {job_timeout:.0f} s and was killed")
    else:
        tail = (result_dir / "job.log").read_text(errors="replace")[-1500:]
        result["status"] = "error"
        result["messages"].append(f"the job exited {process.returncode}: {tail}")
    result["seconds"] = round(time.monotonic() - start, 2)
    return result


def grade_class(
    submissions: str | os.PathLike[str],
    output: str | os.PathLike[str],
    course: str | os.PathLike[str],
    lessons: list[str] | None = None,
    jobs: int | None = None,
    timeout: int | None = None,
    job_timeout: float | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    progress: bool = True,
    isolation: str = "auto",
) -> list[dict[str, Any]]:
    """Grade every submission under ``submissions``; write the outputs into ``output``.

    Cached results (``output/.cache``) are reused when the submission, master, config and
    limits are unchanged. ``isolation`` (auto, required, none): see
    :func:`cnncourse.grader.sandbox.resolve`; ``required`` raises
    :class:`~cnncourse.grader.sandbox.SandboxUnavailable` before grading when the machine
    cannot isolate. Returns one result per input row.
    """
    from cnncourse import grading
    from cnncourse.grader import sandbox

    used, _ = sandbox.resolve(isolation)

    course, output = Path(course), Path(output)
    known = grading.lessons(course)
    unknown = [lesson for lesson in lessons or [] if lesson not in known]
    if unknown:
        raise ValueError(
            f"unknown lesson(s) {', '.join(unknown)}; the course at {course} has "
            f"{', '.join(known)}. Pass --lessons with those names (or --course ROOT)."
        )
    config = course / "nbgrader_config.py"
    cell_timeout = timeout or int(grading.course_config(course).Execute.get("timeout", 180))
    job_timeout = job_timeout or 10 * cell_timeout + 120
    rows = discover(submissions, known, lessons)
    cache = output / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    options = f"timeout={cell_timeout};memory={memory_mb};isolation={used}"
    config_bytes = config.read_bytes()
    results: dict[int, dict[str, Any]] = {}
    places: dict[int, Path] = {}
    todo = []
    for index, row in enumerate(rows):
        if row.get("status"):
            result = new_result(row["student"], row["lesson"], str(row["path"]))
            result.update(status=row["status"], messages=[row["message"]])
            results[index] = result
            continue
        master = course / "solutions" / row["lesson"] / f"{row['lesson']}.ipynb"
        who = f"{options};student={row['student']};lesson={row['lesson']}"  # one folder each
        key = cache_key(Path(row["path"]).read_bytes(), master.read_bytes(), config_bytes, who)
        places[index] = cache / key
        cached = cache / key / "result.json"
        if cached.is_file():
            results[index] = dict(json.loads(cached.read_text()), source=str(row["path"]))
        else:
            todo.append((index, row, master, cache / key))
    workers = jobs or os.cpu_count() or 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(
                run_job, master, config, row, where, cell_timeout, job_timeout, memory_mb, isolation
            ): (index, where)
            for index, row, master, where in todo
        }
        done = concurrent.futures.as_completed(futures)
        if progress:
            from tqdm import tqdm

            done = tqdm(done, total=len(futures), desc="grading", unit="submission")
        for future in done:
            index, where = futures[future]
            try:
                result = future.result()
            except Exception as failure:  # never lose a row
                row = rows[index]
                result = new_result(row["student"], row["lesson"], str(row["path"]))
                result["messages"].append(f"{type(failure).__name__}: {failure}")
            if result["status"] == "error":  # retried on the next run
                (where / "result.json").unlink(missing_ok=True)
            else:
                write_json(where / "result.json", result)  # the cache: a rerun resumes here
            results[index] = result
    for index, where in places.items():
        if results[index].get("feedback"):
            results[index]["feedback_file"] = str(where / results[index]["feedback"])
    ordered = [results[i] for i in range(len(rows))]
    write_outputs(ordered, output, course)
    return ordered


def write_outputs(results: list[dict[str, Any]], output: Path, course: Path) -> None:
    """grades.csv, feedback/<student>/<lesson>.html, histogram.png and report.html."""
    from cnncourse import grading

    tests: list[str] = []
    for lesson in sorted({r["lesson"] for r in results if r["lesson"]}):
        master = grading.read(course / "solutions" / lesson / f"{lesson}.ipynb")
        tests += [t for t in test_points(master) if t not in tests]
    fields = ["student", "lesson", "status", *tests, "total", "max", "flags", "messages"]
    temporary = output / ".grades.csv.tmp"
    with open(temporary, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for r in results:
            row = {t: r["tests"][t]["points"] for t in r["tests"] if t in tests}
            row.update(
                student=r["student"],
                lesson=r["lesson"],
                status=r["status"],
                total=r["total"],
                max=r["max"],
                flags=" ".join(r["flags"]),
                messages=" | ".join(m.replace("\n", " ")[:300] for m in r["messages"]),
            )
            writer.writerow(row)
    os.replace(temporary, output / "grades.csv")
    for r in results:
        source = Path(r.get("feedback_file") or "")
        if r.get("feedback_file") and source.is_file():
            target = output / "feedback" / safe_name(r["student"]) / f"{r['lesson']}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    histogram(results, output / "histogram.png")
    (output / "report.html").write_text(report(results))


def graded(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results that have scores (whatever their status)."""
    return [r for r in results if r["status"] not in ("missing", "unrecognized", "unreadable")]


def pass_rates(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per lesson and test cell: the share of graded submissions with full points."""
    rates: dict[str, dict[str, float]] = {}
    for r in graded(results):
        for test, entry in r["tests"].items():
            rates.setdefault(r["lesson"], {}).setdefault(test, 0.0)
            rates[r["lesson"]][test] += float(entry["points"] >= entry["max"] > 0)
    for lesson, tests in rates.items():
        count = sum(1 for r in graded(results) if r["lesson"] == lesson)
        for test in tests:
            tests[test] /= max(count, 1)
    return rates


def histogram(results: list[dict[str, Any]], path: Path) -> None:
    """A histogram of total scores (percent of the maximum), one series per lesson."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    for lesson in sorted({r["lesson"] for r in graded(results)}):
        scores = [
            100 * r["total"] / r["max"]
            for r in graded(results)
            if r["lesson"] == lesson and r["max"]
        ]
        axes.hist(scores, bins=list(range(0, 105, 5)), alpha=0.6, label=lesson)
    axes.set_xlabel("score (% of the maximum)")
    axes.set_ylabel("submissions")
    axes.set_title("Scores")
    if graded(results):
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def report(results: list[dict[str, Any]]) -> str:
    """The class report as HTML: statuses, pass rates, the histogram, what needs attention."""
    e = html.escape
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    parts = [
        "<!doctype html><meta charset='utf-8'><title>Class report</title>",
        "<h1>Class report</h1>",
        f"<p>{len(results)} rows: "
        + ", ".join(f"{e(s)} {n}" for s, n in sorted(counts.items()))
        + "</p>",
        isolation_note(results),
        "<h2>Pass rates per exercise</h2>",
        "<table border=1><tr><th>lesson</th><th>test cell</th><th>full points</th></tr>",
    ]
    for lesson, tests in sorted(pass_rates(results).items()):
        for test, rate in tests.items():
            parts.append(f"<tr><td>{e(lesson)}</td><td>{e(test)}</td><td>{rate:.0%}</td></tr>")
    parts += [
        "</table>",
        "<h2>Scores</h2><img src='histogram.png' alt='score histogram'>",
        "<h2>Needs attention</h2>",
        "<table border=1><tr><th>student</th><th>lesson</th><th>status</th><th>flags</th>"
        "<th>messages</th></tr>",
    ]
    for r in attention(results):
        parts.append(
            f"<tr><td>{e(r['student'])}</td><td>{e(r['lesson'])}</td><td>{e(r['status'])}</td>"
            f"<td>{e(' '.join(r['flags']))}</td>"
            f"<td>{'<br>'.join(e(m[:500]) for m in r['messages'])}</td></tr>"
        )
    parts.append("</table>")
    return "\n".join(parts) + "\n"


def isolation_note(results: list[dict[str, Any]]) -> str:
    """A paragraph saying which OS isolation the graded jobs had (a warning when none)."""
    used = sorted({r.get("isolation") or "none" for r in graded(results)})
    if not used:
        return ""
    if used == ["bubblewrap"]:
        return "<p>Isolation: every student kernel ran in the bubblewrap sandbox.</p>"
    return (
        f"<p><b>Isolation: {html.escape(', '.join(used))}.</b> Kernels without isolation could "
        "read the master, the hidden tests and other jobs (see docs/isolation.md).</p>"
    )


def attention(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results that are not a plain, clean ``ok``."""
    return [r for r in results if r["status"] != "ok" or r["flags"]]


# ---------------------------------------------------------------------------------------------
# Students: validate a notebook before handing it in.
# ---------------------------------------------------------------------------------------------


def validate(path: str | os.PathLike[str], timeout: int = 180) -> tuple[bool, str]:
    """Run a notebook as the grader would (fast mode) and summarize the visible tests.

    Returns ``(all passed, summary)``: the test cells that fail with their messages and the
    answer cells that still raise ``NotImplementedError``.
    """
    from cnncourse import grading

    path = Path(path)
    nb, problem = read_submission(path.read_bytes())
    if nb is None:
        return False, f"{path}: {problem}"
    root = Path(__file__).resolve().parents[2]
    config = grading.course_config(root) if (root / "nbgrader_config.py").is_file() else None
    if config is not None:
        config.Execute.timeout = timeout
    executed = grading.execute_as_autograder(nb, path.parent, config)
    lines = []
    unfinished = []
    for grade_id, cell in grading.nbgrader_cells(executed, "solution").items():
        raised = any(o.get("ename") == "NotImplementedError" for o in cell.get("outputs", []))
        if raised or "raise NotImplementedError" in cell.source:
            unfinished.append(grade_id)
    verdicts = grading.judge(executed)
    failed = {t: v for t, v in verdicts.items() if v[0] < v[1]}
    for grade_id in unfinished:
        lines.append(f"NOT DONE  {grade_id}: the answer cell still has raise NotImplementedError()")
    for grade_id, (points, maximum, feedback) in verdicts.items():
        if grade_id in failed:
            message = feedback.strip().splitlines()[0] if feedback.strip() else "no message"
            lines.append(f"FAIL      {grade_id} ({points:g}/{maximum:g}): {message}")
        else:
            lines.append(f"pass      {grade_id} ({maximum:g} points)")
    ok = not failed and not unfinished
    lines.append(
        "All visible tests pass. (Hidden tests run when it is graded.)"
        if ok
        else f"{len(failed)} test cell(s) fail, {len(unfinished)} answer(s) not done."
    )
    return ok, "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------------


def default_course() -> Path:
    """The course this package belongs to (the repository root)."""
    return Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    """``python -m cnncourse.classgrade`` (see the module's docstring)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["validate"]:
        parser = argparse.ArgumentParser(prog="python -m cnncourse.classgrade validate")
        parser.add_argument("notebook", type=Path)
        parser.add_argument("--timeout", type=int, default=180, help="seconds per cell")
        args = parser.parse_args(argv[1:])
        if not args.notebook.is_file():
            parser.error(f"{args.notebook} is not a file; pass the path of your .ipynb")
        ok, summary = validate(args.notebook, args.timeout)
        print(summary)
        return 0 if ok else 1
    if argv[:1] == ["job"]:
        parser = argparse.ArgumentParser(prog="python -m cnncourse.classgrade job")
        for name in ("master", "config", "submission", "result-dir"):
            parser.add_argument(f"--{name}", type=Path, required=True)
        parser.add_argument("--student", required=True)
        parser.add_argument("--lesson", required=True)
        parser.add_argument("--timeout", type=int, default=None, help="seconds per cell")
        parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
        parser.add_argument("--isolation", choices=ISOLATION_MODES, default="auto")
        args = parser.parse_args(argv[1:])
        if args.memory_mb > 0:
            limit_memory(args.memory_mb)
        result = grade_submission(
            args.master, args.config, args.submission, args.student, args.lesson,
            args.result_dir, args.timeout, args.isolation,
        )  # fmt: skip
        print(json.dumps({k: result[k] for k in ("student", "lesson", "status", "total")}))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m cnncourse.classgrade",
        description="Grade every submission in SUBMISSIONS_DIR with nbgrader; write grades.csv, "
        "feedback/, report.html and histogram.png into OUTPUT_DIR. "
        "Subcommands: 'validate NOTEBOOK' (students), 'job ...' (one submission).",
    )
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    parser.add_argument("output", type=Path, metavar="OUTPUT_DIR")
    parser.add_argument("--lessons", nargs="+", default=None, help="default: those submitted")
    parser.add_argument("--jobs", type=int, default=None, help="parallel jobs (default: cores)")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell")
    parser.add_argument("--job-timeout", type=float, default=None, help="seconds per job")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--course", type=Path, default=default_course(), help="master course")
    parser.add_argument(
        "--isolation",
        choices=ISOLATION_MODES,
        default="auto",
        help="run each student's kernel in an OS sandbox (bubblewrap): auto (when the machine "
        "can; the default), required (refuse to grade without it), none",
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder; pass the folder of submissions")
    if (
        not (args.course / "solutions").is_dir()
        or not (args.course / "nbgrader_config.py").is_file()
    ):
        parser.error(
            f"{args.course} is not the course (no solutions/ or nbgrader_config.py); "
            "pass --course with the repository root"
        )
    if args.output.resolve() == args.submissions.resolve():
        parser.error("OUTPUT_DIR must differ from SUBMISSIONS_DIR")
    from cnncourse.grader import sandbox

    try:
        used, note = sandbox.resolve(args.isolation)
        print(f"isolation: {used}" + (f" ({note})" if note else ""))
        results = grade_class(
            args.submissions, args.output, args.course, args.lessons, args.jobs,
            args.timeout, args.job_timeout, args.memory_mb, isolation=args.isolation,
        )  # fmt: skip
    except (ValueError, sandbox.SandboxUnavailable) as problem:
        parser.error(str(problem))
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    print(f"{len(results)} rows ({', '.join(f'{s}: {n}' for s, n in sorted(counts.items()))}).")
    print(f"{len(attention(results))} need attention: see {args.output / 'report.html'}")
    return 0


def skip_unused_imports() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` in this process.

    ``rfc3987_syntax`` (installed for Jupyter's event schemas) compiles a grammar when it is
    imported: about 1.1 s of CPU in every process that imports ``nbformat``, which is every
    grading job and the batch. It only adds jsonschema's ``iri`` format check, which nbformat
    does not use. Called only when this module runs as a program (each job is one), never on
    import, so a Python session that imports the module keeps its jsonschema whole.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import" raises ImportError


if __name__ == "__main__":
    skip_unused_imports()
    sys.exit(main())
