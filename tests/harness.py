"""The judging harness of the catalogs: many one-cell variants of a master, one kernel, nbgrader's
rules.

``tests/mistakes/<lesson>.py`` (wrong answers) and ``tests/alternatives/<lesson>.py`` (correct
answers built differently from the master) hold entries ``dict(cell=, name=, ...)`` whose answer
is either a whole cell (``code=``) or a base answer and a few replacements (``replace=[(old,
new), ...]``, on the master's answer cell without its solution markers, or on the entry named by
``base=``). :func:`entry_code` resolves them and fails loudly, naming the entry, when a
replacement's old text no longer occurs exactly once in its base (a master was edited).

:func:`judge_variants` runs the master once and then each variant, and judges *every* graded test
cell from the variant's answer cell to the end of the notebook, so that a mistake that costs
points in a later exercise (a cascade) shows. Only the cells that can see the variant are run
again (see :func:`affected_cells`); every other test cell keeps the master's verdict.
"""

from __future__ import annotations

import ast
import copy
import os
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

import nbformat
from nbformat import NotebookNode

from cnncourse import grading
from cnncourse.grading import verdict

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
    """The answer cell source of a catalog entry.

    ``code=`` is the whole cell. Otherwise the base (the master's answer cell without its
    solution markers, or the entry of ``entries`` named ``base=``: one for the same answer cell
    if there is one, else the only one of that name) gets each
    ``(old, new)`` of ``replace=`` in turn; each ``old`` must occur exactly once.

    Raises:
        ValueError: naming the entry, for an entry with both or neither forms, an unknown or
            circular base, or a replacement whose old text is missing or ambiguous.
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
        raise ValueError(f"{entry['name']!r}: its base {entry['base']!r} {problem}")
    return found[0]


def _resolve(entry: dict, nb: NotebookNode, entries: list[dict], seen: tuple[str, ...]) -> str:
    name = entry["name"]
    if name in seen:
        raise ValueError(f"{name!r}: circular base ({' -> '.join([*seen, name])})")
    if "code" in entry:
        if "replace" in entry or "base" in entry:
            raise ValueError(f"{name!r}: give either code= or base=/replace=, not both")
        return entry["code"].strip("\n")
    if "replace" not in entry:
        raise ValueError(f"{name!r}: give code= (a whole cell) or replace= (and maybe base=)")
    if entry.get("base") is None:
        code, base_name = master_answer(nb, entry["cell"]), f"the master's {entry['cell']}"
    else:
        base = _find_base(entry, entries)
        code, base_name = _resolve(base, nb, entries, (*seen, name)), repr(entry["base"])
    for old, new in entry["replace"]:
        count = code.count(old)
        if count != 1:
            where = "does not occur" if count == 0 else f"occurs {count} times"
            raise ValueError(
                f"{name!r}: the replaced text {old!r} {where} in its base ({base_name}); "
                "update the entry to the base's current text"
            )
        code = code.replace(old, new)
    return code.strip("\n")


# Which cells can see a variant ---------------------------------------------------------------


def _parse(source: str) -> ast.Module | None:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _binds(statements: Iterable[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            continue  # importing again binds the same module
        else:
            for child in ast.walk(node):
                if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                    names.add(child.id)
    return names


def bound_names(source: str) -> set[str]:
    """Top-level names a cell's code binds with defs, classes and assignments (not imports)."""
    tree = _parse(source)
    return _binds(tree.body) if tree is not None else set()


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _scope_reads(node: ast.AST) -> set[str]:
    """The global (or enclosing) names a function or lambda reads when called: the names it
    loads and does not bind itself (Python makes every name a function assigns local to it),
    with what its nested functions read and it does not bind; a class, everything its body
    loads. A comprehension's own loop variables are not reads."""
    if isinstance(node, ast.ClassDef):
        return _loads(node)
    args = node.args
    local = {a.arg for a in ast.walk(args) if isinstance(a, ast.arg)}
    declared, loads, nested = set(), set(), set()
    todo = list(node.body) if isinstance(node.body, list) else [node.body]
    while todo:
        current = todo.pop()
        if isinstance(current, _SCOPES):
            nested |= _scope_reads(current)
            if not isinstance(current, ast.Lambda):
                local.add(current.name)
                for part in current.decorator_list:
                    loads |= _loads(part)
            if not isinstance(current, ast.ClassDef):
                for part in [*current.args.defaults, *current.args.kw_defaults]:
                    loads |= _loads(part) if part is not None else set()
            continue
        if isinstance(current, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            # its own scope: the loop variables are its own, not the function's
            own = {n.id for g in current.generators for n in ast.walk(g.target)
                   if isinstance(n, ast.Name)}  # fmt: skip
            loads |= (_loads(current) - own) | _loads(current.generators[0].iter)
            continue
        if isinstance(current, (ast.Global, ast.Nonlocal)):
            declared |= set(current.names)
        elif isinstance(current, (ast.Import, ast.ImportFrom)):
            local |= {(a.asname or a.name).split(".")[0] for a in current.names}
        elif isinstance(current, ast.Name):
            (loads if isinstance(current.ctx, ast.Load) else local).add(current.id)
        elif isinstance(current, ast.ExceptHandler) and current.name:
            local.add(current.name)
        todo.extend(ast.iter_child_nodes(current))
    return ((loads | nested) - local) | declared


def _deferred(tree: ast.Module) -> list[tuple[str, set[str]]]:
    """(name, names it reads when called) for the cell's functions, classes and lambdas."""
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((node.name, _scope_reads(node)))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            found.extend((name, _scope_reads(node.value)) for name in _binds([node]))
    return found


def _cell_reads(tree: ast.Module) -> set[str]:
    """The names a cell reads when it runs, before binding them itself: its statements' free
    reads (:func:`_free_reads`: ``y = 0; print(y)`` reads no ``y``), the names in its
    top-level functions' defaults and decorators, and everything read by any other function,
    class or lambda it holds (a class body runs at once; a lambda passed to a call, or a
    function defined inside a loop, may be called in the cell). What its top-level functions
    read when called is followed through ``_deferred``."""
    found = _free_reads(tree.body)
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = statement.args
            for part in [*args.defaults, *args.kw_defaults, *statement.decorator_list]:
                found |= _loads(part) if part is not None else set()
            continue
        for node in ast.walk(statement):
            if isinstance(node, _SCOPES):
                found |= _scope_reads(node)
    return found


def affected_cells(nb: NotebookNode, begin: int, source: str) -> list[int]:
    """The code cells after ``begin`` that can see a change of cell ``begin`` to ``source``.

    A cell is affected when it reads (before binding it itself) a name that the variant or the
    original binds, a name an affected cell binds, or a function (class, lambda) of any cell
    that reads one of those when called. A cell that cannot be parsed counts as affected.
    Names reached only through ``globals()``, modules or random state are not followed.
    """
    trees = [_parse(c.source) if c.cell_type == "code" else None for c in nb.cells]
    functions = [f for tree in trees if tree is not None for f in _deferred(tree)]
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
        if tree is None or _cell_reads(tree) & tainted:
            affected.append(i)
            if tree is not None:
                tainted |= _binds(tree.body)
                spread()
    return affected


def _names_in(node: ast.AST) -> list[ast.Name]:
    """The Name nodes of a statement, not inside the functions, classes or lambdas it defines
    (their reads happen when called), in source order."""
    found, todo = [], [node]
    while todo:
        current = todo.pop()
        for child in ast.iter_child_nodes(current):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                found += (
                    [n for n in child.decorator_list if isinstance(n, ast.Name)]
                    if hasattr(child, "decorator_list")
                    else []
                )
                continue
            if isinstance(child, ast.Name):
                found.append(child)
            todo.append(child)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _free_reads(statements: list[ast.stmt], bound: set[str] | None = None) -> set[str]:
    """Names the statements read before they bind them (a test's own loop variables and
    temporaries are not free; ``x = x + 1`` reads ``x``). Names read by the functions they
    define are not included (see ``_deferred``)."""
    bound, free = set(bound or ()), set()
    for stmt in statements:
        targets = {
            n.id
            for comp in ast.walk(stmt)
            if isinstance(comp, ast.comprehension)
            for n in ast.walk(comp.target)
            if isinstance(n, ast.Name)
        }
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            value = stmt.value
            free |= (
                {n.id for n in _names_in(value) if isinstance(n.ctx, ast.Load)} if value else set()
            )
            for target in getattr(stmt, "targets", None) or [stmt.target]:
                if isinstance(stmt, ast.AugAssign) and isinstance(target, ast.Name):
                    free.add(target.id)
                free |= {n.id for n in _names_in(target) if isinstance(n.ctx, ast.Load)}
        else:
            first: dict[str, bool] = {}
            for name in _names_in(stmt):
                first.setdefault(name.id, isinstance(name.ctx, ast.Load))
            free |= {name for name, load in first.items() if load}
        free -= bound | targets
        bound |= _binds([stmt])
    return free


def _function_reads(tree: ast.Module) -> dict[str, set[str]]:
    """For each function (class, lambda assigned to a name) a cell defines: the global names
    it reads when called (:func:`_scope_reads`), and those of its defaults and decorators."""
    found = dict(_deferred(tree))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in [*node.args.defaults, *node.args.kw_defaults, *node.decorator_list]:
                found[node.name] |= _loads(part) if part is not None else set()
    return found


def _touched(tree: ast.Module, names: set[str]) -> bool:
    """Whether a cell changes one of ``names`` in place: stores into its attributes or items
    (``m.trainable = False``, ``x[0] = 1``) or calls one of its methods (``model.fit()``)."""
    for node in ast.walk(tree):
        target = None
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            target = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
        while isinstance(target, (ast.Attribute, ast.Subscript)):
            target = target.value
        if isinstance(target, ast.Name) and target.id in names:
            return True
    return False


def graded_path(nb: NotebookNode, cells: list[int], graded: set[int]) -> list[int]:
    """Of ``cells`` (the affected cells of a variant), those a graded test cell can depend on:
    the graded test cells themselves, and each other cell that binds a name that a later kept
    cell (or a function it calls) reads, or changes such a name in place, or does not parse.
    The rest only show something (figures, tables, a demo's training) and need not run to
    judge the variant. Module names (imports) are read by everyone and are not followed."""
    trees = [_parse(c.source) if c.cell_type == "code" else None for c in nb.cells]
    functions: dict[str, set[str]] = {}
    for tree in trees:
        for name, names in (_function_reads(tree) if tree is not None else {}).items():
            functions.setdefault(name, set()).update(names)
    modules = {
        alias.asname or alias.name.split(".")[0]
        for tree in trees
        if tree is not None
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }

    def reads(tree: ast.Module) -> set[str]:
        found, todo = (
            set(),
            list(_free_reads(tree.body) | set().union(*_function_reads(tree).values())),
        )
        while todo:
            name = todo.pop()
            if name not in found:
                found.add(name)
                todo += functions.get(name, ())
        return found - modules

    needed: set[str] = set()
    kept = []
    for i in sorted(cells, reverse=True):
        tree = trees[i]
        if i in graded or tree is None:
            keep = True
        else:
            keep = bool(_binds(tree.body) & needed) or _touched(tree, needed)
        if keep:
            kept.append(i)
            if tree is not None:
                needed |= reads(tree)
    return sorted(kept)


def graded_cells(nb: NotebookNode) -> set[int]:
    """The indices of the cells a grade can depend on: every nbgrader cell, every code cell
    that imports, every code cell on a graded test cell's :func:`graded_path`, and every
    markdown cell. The others are code cells that only show something (figures, tables, a
    demo's training)."""
    graded = {
        i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")
    }
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    trees = {i: _parse(nb.cells[i].source) for i in code}
    imports = {
        i
        for i, tree in trees.items()
        if tree is not None
        and any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body)
    }
    kept = set(graded_path(nb, code, graded | imports))
    return {
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type != "code" or i in kept or c.get("metadata", {}).get("nbgrader")
    }


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
    test cell after its answer cell, and the text its executed cells printed (stdout and
    stderr streams: warnings show there)."""

    verdicts: dict[str, Verdict]
    output: str


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

    ``variants`` holds ``(answer_cell_id, replacement_source)``. The master runs once (its
    verdicts are the first result): its :func:`graded_cells` only, or the whole notebook with
    ``prune=False``. Then, for each variant, the answer cell runs with the
    replacement followed by every cell after it that can see the change (:func:`affected_cells`)
    and that a graded test cell can depend on (:func:`graded_path`; ``prune=False`` runs every
    affected cell); every graded test cell after the answer cell is judged with nbgrader's rules
    (an unaffected one keeps the master's verdict); then the affected cells other than test
    cells run again with their original source to restore the kernel, and names only the variant
    bound are deleted. The kernel is restarted and the notebook re-run when the kernel died, a
    global name went missing, or the variant rebound an existing name its original cell does not
    bind. Subtler damage to shared state (patching a library, say) is not detected: the catalogs
    hold honest answers, while hostile submissions go through real nbgrader, one fresh kernel
    each. Kernel settings (timeout, arguments) come from ``config``'s ``Execute`` section; the
    kernel sees ``NBGRADER_EXECUTION=autograde``.

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

    results = []
    with setenv(NBGRADER_EXECUTION="autograde"):
        client = start()
        first_run = dict(master)
        try:
            for (_, source), (begin, affected) in zip(variants, plans):
                extra = sorted(bound_names(source) - bound_names(nb.cells[begin].source))
                executed = {}
                try:
                    probe(client, "_judge_names = set(globals())")
                    # A variant that rebinds an existing name its original does not bind (say,
                    # an earlier exercise's function) cannot be undone by re-running cells.
                    healthy = probe(client, f"assert not _judge_names & set({extra!r})")
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
                results.append(Judged(verdicts, _printed(executed.values())))
                if not healthy:  # the variant broke the kernel or its state: start afresh
                    stop(client)
                    client = start()
        finally:
            stop(client)
    return first_run, results
