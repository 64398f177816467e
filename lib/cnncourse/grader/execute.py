"""Where a submission is executed: nbgrader's ``Execute`` with the guard, an output cap and
crash handling (``GuardedExecute``), used by classgrade's jobs and by plain ``nbgrader
autograde`` through the course's ``nbgrader_config.py``.

Before every graded test cell, and again after it, the executor sends the kernel an execute
request with empty code and one ``user_expressions`` entry that calls
:func:`cnncourse.grader.guard.restore` with a fresh random challenge. IPython evaluates user
expressions with a plain ``eval`` after the (empty) cell, so input transformers, AST
transformers and custom exception handlers are not on the way. The answer must be signed with
the key the guard returned when it was installed (before the first cell ran); anything else
(no answer, an error, a forged answer, or a guard that reports changes) appends a
``GraderGuardError`` to the test cell, which then scores zero, and the job flags the
submission ``tampered``.
"""

from __future__ import annotations

import ast
import atexit
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Bool, Enum, Unicode

from cnncourse.grader import prune, sandbox, zygote

MAX_OUTPUT_CHARS = 100_000
TRUNCATED = "\n... output truncated by the grader ...\n"
NOT_RUN = (
    "Not run while grading: this cell only shows something, and no graded test depends on it.\n"
)
GUARD_ERROR = "GraderGuardError"
ISOLATIONS = ("auto", "required", "none")
GUARD_MODULE = "cnncourse.grader.guard"
LESSON_HELPERS = re.compile(r"cnncourse\.lessons\.(\w+)|from\s+cnncourse\.lessons\s+import\s+(\w+)")

# One entry per notebook this process executed: isolation used and what the guard found.
RUNS: list[dict[str, Any]] = []
# Kernels started ahead for this process's next notebook (cnncourse.grader.warm): (kernel
# manager, isolation used). The next GuardedExecute takes one instead of starting a kernel.
WARM: list[tuple[Any, str]] = []
# The zygote this process started for its sandboxed kernels (at most one; see own_zygote).
ZYGOTES: list[zygote.Zygote] = []


class GuardFailure(Exception):
    """The guard could not be reached, or its answer was not genuine."""


def error(ename: str, evalue: str) -> NotebookNode:
    """An error output, as a kernel would send it."""
    return nbformat.v4.new_output(
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


def make_kernel_manager(executor: Any, isolation: str) -> tuple[Any | None, str]:
    """The seam for OS isolation: ``(kernel manager or None for nbclient's own, isolation used)``.

    ``none`` starts the kernel as nbclient does; otherwise
    :func:`cnncourse.grader.sandbox.make_kernel_manager` decides (``required`` fails with a
    clear error on a machine that cannot sandbox).
    """
    if isolation == "none":
        return None, "none"
    return sandbox.make_kernel_manager(executor, isolation)


def lesson_helpers(nb: NotebookNode) -> list[str]:
    """The ``cnncourse.lessons.*`` modules the notebook's graded and locked cells import."""
    found: list[str] = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not (meta.get("locked") or meta.get("grade")):
            continue
        for match in LESSON_HELPERS.finditer(cell.source):
            name = f"cnncourse.lessons.{match.group(1) or match.group(2)}"
            if name not in found:
                found.append(name)
    return found


def own_zygote(preload: list[str]) -> str:
    """The socket of this process's own zygote (:class:`cnncourse.grader.zygote.Zygote`),
    started on the first call with ``preload`` and stopped when the process exits: plain
    ``nbgrader autograde`` forks each sandboxed kernel from it, so that the lesson's imports
    are done once per run rather than once per notebook. Later calls return the same zygote
    (a kernel imports what its zygote lacks itself)."""
    if not ZYGOTES:
        folder = tempfile.mkdtemp(prefix="cnncourse-zygote-")
        server = zygote.Zygote(Path(folder) / "kernels", preload)
        ZYGOTES.append(server)

        def stop() -> None:
            server.stop()
            shutil.rmtree(folder, ignore_errors=True)

        atexit.register(stop)
    return ZYGOTES[0].path


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` that has the guard restore and verify before and after each graded
    test cell; caps each cell's stream output; marks the rest of the notebook when the kernel
    dies instead of failing the whole submission."""

    kernel_cwd = Unicode("", help="Folder the kernel runs in (holds only the submission).")
    kernel_cwd.tag(config=True)
    isolation = Enum(ISOLATIONS, "auto", help="OS isolation of the kernel: auto|required|none")
    isolation.tag(config=True)
    guard = Bool(True, help="Run the in-kernel guard around graded test cells.").tag(config=True)
    graded_path_only = Bool(
        True,
        help="Skip the course's own cells that only show something (cnncourse.grader.prune); "
        "False runs every cell.",
    ).tag(config=True)
    fork_kernels = Bool(
        True,
        help="Fork each sandboxed kernel from a zygote this process starts (when the grader "
        "runs as root with bubblewrap and no zygote is given): the lesson's imports are done "
        "once, not once per notebook. False starts each kernel in bubblewrap.",
    ).tag(config=True)

    def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
        if self.kernel_cwd:
            resources = dict(resources or {})
            resources["metadata"] = dict(resources.get("metadata", {}), path=self.kernel_cwd)
        self._key = ""
        self._install_problem = ""
        self._guarded_client: Any = None
        self._dead = False
        self._run = {"isolation": "none", "guard": [], "guarded_cells": 0}
        RUNS.append(self._run)
        self._helpers = lesson_helpers(nb)
        release, problem = self._release(resources)
        self._skip = self._display_only(nb, release, problem) if self.graded_path_only else set()
        if km is None and WARM:
            km, self._run["isolation"] = WARM.pop()
        elif km is None:
            km, self._run["isolation"] = make_kernel_manager(self, self.isolation)
            if self._run["isolation"] == sandbox.BUBBLEWRAP and self.fork_kernels:
                self._use_zygote(release)
        return super().preprocess(nb, resources, km)

    def _release(self, resources: Any) -> tuple[NotebookNode | None, str]:
        """``(the released notebook of the assignment being graded, '')``, found through
        nbgrader's ``CourseDirectory``; ``(None, why)`` when it cannot be read, and ``(None,
        '')`` when nbgrader names no assignment."""
        from nbgrader.coursedir import CourseDirectory

        info = (resources or {}).get("nbgrader", {})
        if not info.get("assignment") or not info.get("notebook"):
            return None, ""
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.release_directory, ".", info["assignment"])
        path = Path(folder) / f"{info['notebook']}.ipynb"
        try:
            return nbformat.read(str(path), as_version=4), ""
        except (OSError, ValueError) as problem:
            return None, str(problem)

    def _display_only(self, nb: Any, release: NotebookNode | None, problem: str) -> set[int]:
        """The cells :func:`cnncourse.grader.prune.display_only` skips, judged against the
        released notebook of this assignment (``_release``); none (the notebook runs whole)
        without one."""
        if problem:
            self.log.warning("every cell runs: no released notebook to compare with (%s)", problem)
        return set() if release is None else prune.display_only(nb, release)

    def _use_zygote(self, release: NotebookNode | None) -> None:
        """Have the sandboxed kernel forked from :func:`own_zygote` (preloading the lesson's
        imports: the release's, never a module only a submission names), unless a zygote is
        given (the batch's, ``CNN_GRADER_ZYGOTE``) or the grader is not root."""
        settings = self.config.SandboxedKernelManager
        if settings.get("zygote") or sandbox.given_zygote() or not zygote.usable(self.isolation):
            return
        preload = zygote.preload_of([(release, release)]) if release is not None else []
        if not ZYGOTES:
            self.log.info("sandboxed kernels fork from a zygote that imports %s", preload)
        path = own_zygote(preload)
        why = zygote.wait_for(path, 300)  # what its kernel's launcher would wait for anyway
        if why:
            self.log.warning("the zygote did not start (%s): the kernel starts in bubblewrap", why)
            return
        settings.zygote = path

    def _guard_call(self, expression: str) -> str:
        """Evaluate ``expression`` in the kernel as a user expression; return its str value."""
        msg_id = self.kc.execute(
            "", silent=True, store_history=False, user_expressions={"guard": expression},
            allow_stdin=False, stop_on_error=False,
        )  # fmt: skip
        reply = self.wait_for_reply(msg_id)
        if reply is None:
            raise GuardFailure("no reply from the kernel")
        content = reply["content"]
        if content.get("status") != "ok":
            raise GuardFailure(f"the request failed: {content.get('ename')}")
        value = content.get("user_expressions", {}).get("guard", {})
        if value.get("status") != "ok":
            raise GuardFailure(f"{value.get('ename')}: {value.get('evalue')}")
        text = value.get("data", {}).get("text/plain", "")
        try:
            result = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise GuardFailure(f"an unexpected answer: {text[:100]}") from None
        if not isinstance(result, str):
            raise GuardFailure(f"an unexpected answer: {text[:100]}")
        return result

    def _install(self) -> None:
        call = f"__import__({GUARD_MODULE!r}, None, None, ['install']).install({self._helpers!r})"
        try:
            self._key = self._guard_call(call)
        except GuardFailure as failure:
            self._install_problem = str(failure)
            self.log.warning("the grader's guard did not start: %s", failure)

    def _restore(self, after: bool) -> list[str]:
        """Have the guard restore; return what it found (raises GuardFailure when it can't)."""
        from cnncourse.grader.guard import check_answer

        if not self._key:
            raise GuardFailure(f"the guard did not start ({self._install_problem})")
        challenge = secrets.token_hex(16)
        call = (
            f"__import__({GUARD_MODULE!r}, None, None, ['restore'])"
            f".restore({challenge!r}, after={after!r})"
        )
        answer = self._guard_call(call)
        try:
            return check_answer(self._key, challenge, answer)
        except (ValueError, KeyError, TypeError):
            raise GuardFailure("the guard's answer is not genuine") from None

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

    def _guarded(self, after: bool) -> str:
        """Restore around a graded cell; the error text for the cell ('' when all is well)."""
        when = "after" if after else "before"
        try:
            found = self._restore(after)
        except GuardFailure as failure:
            self._run["guard"].append(f"{when} a test cell: {failure}")
            return f"the grader could not restore its helpers {when} this test: {failure}"
        if found:
            self._run["guard"] += [f"{when} a test cell: {p}" for p in found]
            return f"changed {when} this test (restored): " + "; ".join(found[:5])
        return ""

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
        if cell.cell_type != "code":
            return cell, resources
        if self._dead:
            cell.outputs = [error("DeadKernelError", "the kernel died or hung earlier")]
            return cell, resources
        if index in self._skip:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=NOT_RUN)]
            cell.execution_count = None
            return cell, resources
        graded = self.guard and is_grade(cell)
        try:
            if self.guard and self._guarded_client is not self.kc:  # a new kernel (retries)
                self._guarded_client = self.kc
                self._key, self._install_problem = "", ""
                self._install()
            before = self._guarded(after=False) if graded else ""
            cell, resources = super().preprocess_cell(cell, resources, index)
            if graded:
                self._run["guarded_cells"] += 1
                after = self._guarded(after=True)
                for problem in (before, after):
                    if problem:
                        cell.outputs.append(error(GUARD_ERROR, problem))
        except (DeadKernelError, CellTimeoutError) as dead:  # the kernel died or hangs
            self._dead = True
            name = type(dead).__name__
            why = getattr(self.km, "ended_why", lambda: "")() or str(dead)[:300]
            cell.outputs = list(cell.get("outputs", [])) + [error(name, why)]
        return cell, resources
