"""The students' check before handing in: run a notebook as the grader would (fast mode) and
list each visible test as pass or FAIL and each unfinished answer.

Works without nbgrader (on Colab): it runs the notebook with nbclient and judges each graded
test cell by nbgrader's rule (an error, or stderr output that the course's ``IgnorePattern``
does not drop, costs the cell its points).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from cnncourse.grader.submission import answer_cells, nbgrader_meta, read_submission

ROOT = Path(__file__).resolve().parents[3]  # the repository, when run from a checkout


def course_settings(root: Path) -> dict[str, Any]:
    """The ``Execute`` and ``IgnorePattern`` settings of ``root/nbgrader_config.py`` ({} when
    there is none, as on Colab)."""
    if not (root / "nbgrader_config.py").is_file():
        return {}
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=os.fspath(root)).load_config()
    settings = {
        "extra_arguments": list(config.Execute.get("extra_arguments", [])),
        "timeout": config.Execute.get("timeout", 180),
    }
    if config.IgnorePattern.get("enabled", True) and config.IgnorePattern.get("pattern"):
        settings["ignore"] = re.compile(config.IgnorePattern.pattern)
    return settings


def verdict(cell: NotebookNode, ignore: re.Pattern[str] | None = None) -> tuple[float, str]:
    """nbgrader's verdict on one executed graded test cell: ``(points, feedback)``."""
    maximum = float(nbgrader_meta(cell).get("points", 0))
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return 0.0, f"{output.ename}: {output.evalue}"
        if output.output_type == "stream" and output.name == "stderr":
            if ignore is None or not ignore.search(output.text):
                return 0.0, output.text
    return maximum, ""


def execute(nb: NotebookNode, cwd: Path, timeout: int, extra_arguments: list[str]) -> None:
    """Run every cell of ``nb`` in place, errors and all, with ``NBGRADER_EXECUTION`` set."""
    from nbclient import NotebookClient

    previous = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
            allow_errors=True,
            interrupt_on_timeout=True,
            extra_arguments=extra_arguments,
            resources={"metadata": {"path": os.fspath(cwd)}},
        ).execute()
    finally:
        if previous is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = previous


def validate(path: str | os.PathLike[str], timeout: int = 180) -> tuple[bool, str]:
    """Run a notebook as the grader would (fast mode) and summarize the visible tests.

    Returns ``(all passed, summary)``: the test cells that fail with their messages and the
    answer cells that still raise ``NotImplementedError``.
    """
    path = Path(path)
    nb, problem = read_submission(path.read_bytes())
    if nb is None:
        return False, f"{path}: {problem}"
    settings = course_settings(ROOT)
    execute(nb, path.parent, timeout, settings.get("extra_arguments", []))
    unfinished = [
        grade_id
        for grade_id, cell in answer_cells(nb).items()
        if "raise NotImplementedError" in cell.source
        or any(o.get("ename") == "NotImplementedError" for o in cell.get("outputs", []))
    ]
    lines = [
        f"NOT DONE  {grade_id}: the answer cell still has raise NotImplementedError()"
        for grade_id in unfinished
    ]
    failed = 0
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        points, feedback = verdict(cell, settings.get("ignore"))
        maximum = float(meta.get("points", 0))
        if points < maximum:
            failed += 1
            message = feedback.strip().splitlines()[0] if feedback.strip() else "no message"
            lines.append(f"FAIL      {meta['grade_id']} ({points:g}/{maximum:g}): {message}")
        else:
            lines.append(f"pass      {meta['grade_id']} ({maximum:g} points)")
    ok = not failed and not unfinished
    lines.append(
        "All visible tests pass. (Hidden tests run when it is graded.)"
        if ok
        else f"{failed} test cell(s) fail, {len(unfinished)} answer(s) not done."
    )
    return ok, "\n".join(lines)
