"""The judging harness of the catalogs: many one-cell variants of a master, one kernel, nbgrader's
rules.

``tests/mistakes/<lesson>.md`` (wrong answers) and ``tests/alternatives/<lesson>.md`` (correct
answers built differently from the master) are Markdown pages of entries (read by
:mod:`catalogs`) whose answer is either a whole cell (``code``) or a diff against a base answer
(the master's answer cell without its solution markers, or the entry named by ``base``).
:func:`entry_code` resolves them and fails loudly, naming the entry, when a diff no longer fits
its base (a master was edited).

:func:`judge_variants` runs the master once and then each variant, and judges *every* graded test
cell from the variant's answer cell to the end of the notebook, so that a mistake that costs
points in a later exercise (a cascade) shows. Only the cells that can see the variant are run
again (see :func:`affected_cells`); every other test cell keeps the master's verdict.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

import nbformat
from nbformat import NotebookNode

from cnncourse import grading
from cnncourse.grader.prune import (
    binds,
    bound_names,
    cell_reads,
    deferred,
    graded_cells,
    graded_path,
    parse,
)
from cnncourse.grading import verdict

import catalogs

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")

Verdict = tuple[float, float, str]


# Resolving catalog entries -------------------------------------------------------------------


def master_answer(nb: NotebookNode, cell: str) -> str:
    """The master's answer cell ``cell`` with its BEGIN/END SOLUTION marker lines removed."""
    answers = grading.nbgrader_cells(nb, "solution")
    if cell not in answers:
        raise KeyError(f"No answer cell {cell!r}; the notebook has {sorted(answers)}")
    lines = answers[cell].source.splitlines()
    return "\n".join(line for line in lines if not MARKER.match(line)).strip("\n")


def entry_code(entry: dict, nb: NotebookNode, entries: Iterable[dict] = ()) -> str:
    """The answer cell source of a catalog entry (see :mod:`catalogs`).

    ``code`` is the whole cell. Otherwise the base (the master's answer cell without its
    solution markers, or the entry of ``entries`` named ``base``: one for the same answer cell
    if there is one, else the only one of that name) gets the hunks of ``diff`` in turn.

    Raises:
        ValueError: naming the entry, for an entry with both or neither forms, an unknown or
            circular base, or a hunk whose lines are missing from its base or ambiguous there.
    """
    return _resolve(entry, nb, list(entries), ())


def _find_base(entry: dict, entries: list[dict]) -> dict:
    """The entry named ``entry["base"]``: for the same answer cell if there is one, else the
    only entry of that name in the lesson."""
    named = [e for e in entries if e["name"] == entry["base"]]
    same_cell = [e for e in named if e["cell"] == entry["cell"]]
    found = same_cell or named
    if len(found) != 1:
        problem = "is no entry of this lesson" if not found else "names several entries"
        raise ValueError(f"{_label(entry)}: its base {entry['base']!r} {problem}")
    return found[0]


def _label(entry: dict) -> str:
    """The entry's name, and where its page has it (for errors)."""
    return f"{entry['name']!r}" + (f" ({entry['where']})" if "where" in entry else "")


def _resolve(entry: dict, nb: NotebookNode, entries: list[dict], seen: tuple[str, ...]) -> str:
    name, label = entry["name"], _label(entry)
    if name in seen:
        raise ValueError(f"{label}: circular base ({' -> '.join([*seen, name])})")
    if "code" in entry:
        if "diff" in entry or "base" in entry:
            raise ValueError(f"{label}: give either a whole cell or a base and a diff, not both")
        return entry["code"].strip("\n")
    if "diff" not in entry:
        raise ValueError(f"{label}: give a whole cell (```python) or a diff (```diff)")
    if entry.get("base") is None:
        code, base_name = master_answer(nb, entry["cell"]), f"the master's {entry['cell']}"
    else:
        base = _find_base(entry, entries)
        code, base_name = _resolve(base, nb, entries, (*seen, name)), repr(entry["base"])
    return catalogs.apply_diff(code, entry["diff"], label, base_name).strip("\n")


# Which cells can see a variant ---------------------------------------------------------------


def affected_cells(nb: NotebookNode, begin: int, source: str) -> list[int]:
    """The code cells after ``begin`` that can see a change of cell ``begin`` to ``source``.

    A cell is affected when it reads (before binding it itself) a name that the variant or the
    original binds, a name an affected cell binds, or a function (class, lambda) of any cell
    that reads one of those when called. A cell that cannot be parsed counts as affected.
    Names reached only through ``globals()``, modules or random state are not followed.
    """
    trees = [parse(c.source) if c.cell_type == "code" else None for c in nb.cells]
    functions = [f for tree in trees if tree is not None for f in deferred(tree)]
    tainted = bound_names(source) | bound_names(nb.cells[begin].source)

    def spread() -> None:
        grew = True
        while grew:
            grew = False
            for name, reads in functions:
                if name not in tainted and reads & tainted:
                    tainted.add(name)
                    grew = True

    spread()
    affected = []
    for i in range(begin + 1, len(nb.cells)):
        if nb.cells[i].cell_type != "code":
            continue
        tree = trees[i]
        if tree is None or cell_reads(tree) & tainted:
            affected.append(i)
            if tree is not None:
                tainted |= binds(tree.body)
                spread()
    return affected


def graded_only(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` with only its :func:`graded_cells`. The grades of the copy are those
    of the whole notebook, at a fraction of its run time."""
    kept = graded_cells(nb)
    copied = copy.deepcopy(nb)
    copied.cells = [c for i, c in enumerate(copied.cells) if i in kept]
    return copied


def own_tests(nb: NotebookNode, answer: str) -> list[str]:
    """The graded test cells of an answer cell: those after it, up to the next answer cell."""
    answers, tests = grading.nbgrader_cells(nb, "solution"), grading.nbgrader_cells(nb, "test")
    own, inside = [], False
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            inside = grade_id == answer
        elif inside and grade_id in tests:
            own.append(grade_id)
    return own


# Judging -------------------------------------------------------------------------------------


class Judged(NamedTuple):
    """What one variant earned: ``{test_id: (points, max_points, feedback)}`` for every graded
    test cell after its answer cell, the text its executed cells printed (stdout and stderr
    streams: warnings show there), and the error its answer cell raised, if any."""

    verdicts: dict[str, Verdict]
    output: str
    answer_error: str = ""


def _error(cell: NotebookNode | None) -> str:
    """``ename: evalue`` of the cell's error, if it raised one ("" otherwise)."""
    for output in (cell or {}).get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
    return ""


def _printed(cells: Iterable[NotebookNode]) -> str:
    return "".join(
        o.get("text", "") for c in cells for o in c.get("outputs", []) if o.output_type == "stream"
    )


def judge_variants(
    nb: NotebookNode,
    variants: list[tuple[str, str]],
    cwd: str | os.PathLike[str],
    config: Any | None = None,
    prune: bool = True,
) -> tuple[dict[str, Verdict], list[Judged]]:
    """Judge many one-cell variants of a notebook in one kernel, as nbgrader would.

    ``variants`` holds ``(answer_cell_id, replacement_source)``. The master runs once (its verdicts
    are the first result): its :func:`graded_cells` only, or the whole notebook with
    ``prune=False``. Then, for each variant, the names that only the original answer cell binds are
    dropped (a variant that fails to define them must not keep the master's), the answer cell runs
    with the replacement followed by every cell after it that can see the change
    (:func:`affected_cells`) and that a graded test cell can depend on (:func:`graded_path`;
    ``prune=False`` runs every affected cell); every graded test cell after the answer cell is
    judged with nbgrader's rules (an unaffected one keeps the master's verdict); then the affected
    cells other than test cells run again with their original source to restore the kernel, and
    names only the variant bound are deleted. The kernel is restarted and the notebook re-run when
    the kernel died, a global name went missing, or the variant rebound an existing name its
    original cell does not bind. Subtler damage to shared state (patching a library, say) is not
    detected: the catalogs hold honest answers, while hostile submissions go through real nbgrader,
    one fresh kernel each. Kernel settings (timeout, arguments) come from ``config``'s ``Execute``
    section; the kernel sees ``NBGRADER_EXECUTION=autograde``.

    Returns ``(the master's verdicts, a :class:`Judged` per variant)``.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbgrader.utils import setenv

    nb = nbformat.from_dict(nb)
    index = {
        cell.metadata.nbgrader["grade_id"]: i
        for i, cell in enumerate(nb.cells)
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    }
    tests = grading.nbgrader_cells(nb, "test")
    test_index = {index[t]: t for t in tests}
    plans = []
    for answer, source in variants:
        if answer not in index:
            raise KeyError(f"No cell with grade_id {answer!r} in the notebook")
        begin = index[answer]
        affected = affected_cells(nb, begin, source)
        plans.append((begin, graded_path(nb, affected, set(test_index)) if prune else affected))
    # The master runs only the cells a grade can depend on (with prune).
    master_cells = graded_cells(nb) if prune else set(range(len(nb.cells)))
    execute = getattr(config, "Execute", {}) if config is not None else {}

    def new_client() -> NotebookClient:
        return NotebookClient(
            copy.deepcopy(nb),  # nbclient writes executed cells back into its notebook
            timeout=execute.get("timeout", 180),
            kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": "",
                "traceback": ["CellTimeoutError: No reply from kernel before timeout"],
            },
            extra_arguments=list(execute.get("extra_arguments", [])),
            resources={"metadata": {"path": os.fspath(cwd)}},
        )

    def run(client: NotebookClient, i: int, source: str | None = None) -> NotebookNode:
        cell = copy.deepcopy(nb.cells[i])
        if source is not None:
            cell.source = source
        if cell.cell_type == "code":
            client.execute_cell(cell, i)
        return cell

    master: dict[str, Verdict] = {}

    def start() -> NotebookClient:
        client = new_client()
        client.km = client.create_kernel_manager()
        client.start_new_kernel()
        client.start_new_kernel_client()
        for i in range(len(nb.cells)):
            if i not in master_cells:
                continue  # only shows something: no verdict depends on it
            cell = run(client, i)
            if i in test_index:
                master[test_index[i]] = verdict(cell, config)
        return client

    def stop(client: NotebookClient) -> None:
        try:
            client._cleanup_kernel()
        finally:
            if client.km is not None and client.km.has_kernel:
                client.km.shutdown_kernel(now=True)

    def dead(i: int) -> NotebookNode:
        cell = copy.deepcopy(nb.cells[i])
        cell.outputs = [
            nbformat.v4.new_output(
                "error", ename="DeadKernelError", evalue="the kernel died", traceback=[]
            )
        ]
        return cell

    def probe(client: NotebookClient, code: str) -> bool:
        """Run bookkeeping code in the kernel; True when it raised nothing."""
        cell = nbformat.v4.new_code_cell(code)
        client.nb.cells.append(cell)
        client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        client.nb.cells.pop()
        return not any(output.output_type == "error" for output in cell.outputs)

    earlier_names, seen = [], set()
    for cell in nb.cells:
        earlier_names.append(set(seen))
        if cell.cell_type == "code":
            seen |= bound_names(cell.source)

    results = []
    with setenv(NBGRADER_EXECUTION="autograde"):
        client = start()
        first_run = dict(master)
        try:
            for (_, source), (begin, affected) in zip(variants, plans):
                extra = sorted(bound_names(source) - bound_names(nb.cells[begin].source))
                # What the original answer cell alone binds goes before the variant runs, as in
                # nbgrader's fresh kernel: a variant that fails (a syntax error, say) must not
                # leave the master's function in place for the tests.
                own = sorted(bound_names(nb.cells[begin].source) - earlier_names[begin])
                executed = {}
                try:
                    # A variant that rebinds an existing name its original does not bind (say,
                    # an earlier exercise's function) cannot be undone by re-running cells.
                    healthy = probe(
                        client,
                        f"_judge_names = set(globals())\nfor _judge_name in {own!r}:\n"
                        "    globals().pop(_judge_name, None)\n"
                        f"assert not _judge_names & set({extra!r})",
                    )
                    for i in [begin, *affected]:
                        executed[i] = run(client, i, source if i == begin else None)
                    # Restore: the cells again with their original source. Test cells only
                    # judge, so they are skipped; that halves the cost of each variant.
                    for i in [begin, *affected]:
                        if i not in test_index:
                            run(client, i)
                    healthy &= probe(
                        client,
                        f"for _judge_name in {extra!r}:\n    globals().pop(_judge_name, None)\n"
                        "assert set(globals()) >= _judge_names, "
                        "sorted(_judge_names - set(globals()))",
                    )
                except DeadKernelError:
                    executed.update({i: dead(i) for i in [begin, *affected] if i not in executed})
                    healthy = False
                verdicts = {
                    t: verdict(executed[i], config) if i in executed else first_run[t]
                    for i, t in sorted(test_index.items())
                    if i > begin
                }
                results.append(
                    Judged(verdicts, _printed(executed.values()), _error(executed.get(begin)))
                )
                if not healthy:  # the variant broke the kernel or its state: start afresh
                    stop(client)
                    client = start()
        finally:
            stop(client)
    return first_run, results
