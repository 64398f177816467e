"""Reading and sanitising a submitted notebook: parse the bytes, compare it with the release,
restore nbgrader's metadata and the kernel, and list its graded and manually graded cells.

Needs only ``nbformat`` (no nbgrader), so the students' ``validate`` can use it on Colab.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import nbformat
from nbformat import NotebookNode

HUGE_FILE_BYTES = 2_000_000


def nbgrader_meta(cell: NotebookNode) -> dict[str, Any]:
    """A cell's nbgrader metadata ({} when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def test_points(nb: NotebookNode) -> dict[str, float]:
    """Max points of each autograded test cell (graded code cells), in notebook order."""
    return {
        meta["grade_id"]: float(meta.get("points", 0))
        for cell in nb.cells
        if (meta := nbgrader_meta(cell)).get("grade")
        and not meta.get("solution")
        and cell.cell_type == "code"
    }


def manual_points(nb: NotebookNode) -> dict[str, float]:
    """Max points of each manually graded answer cell (``grade`` and ``solution``: written
    answers, or code graded by hand), in notebook order."""
    return {
        meta["grade_id"]: float(meta.get("points", 0))
        for cell in nb.cells
        if (meta := nbgrader_meta(cell)).get("grade") and meta.get("solution")
    }


def answer_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    """The autograded answer cells (``solution`` but not ``grade``) by grade_id."""
    return {
        meta["grade_id"]: cell
        for cell in nb.cells
        if (meta := nbgrader_meta(cell)).get("solution") and not meta.get("grade")
    }


def read_submission(raw: bytes) -> tuple[NotebookNode | None, str]:
    """Parse submitted bytes as a notebook; return ``(notebook, "")`` or ``(None, reason)``."""
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


def inspect_and_sanitize(
    nb: NotebookNode, release: NotebookNode
) -> tuple[NotebookNode, list[str], list[str]]:
    """Compare a submission with the release, restore nbgrader metadata and the kernel.

    Returns ``(sanitized notebook, flags, messages)``. Test and locked cell sources are left
    for nbgrader, which restores them (with their hidden tests) from its gradebook.
    """
    flags: list[str] = []
    messages: list[str] = []
    wanted = {
        nbgrader_meta(cell)["grade_id"]: cell
        for cell in release.cells
        if nbgrader_meta(cell).get("grade_id")
    }
    keys = ("grade", "solution", "locked", "points", "task")
    seen: set[str] = set()
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
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
