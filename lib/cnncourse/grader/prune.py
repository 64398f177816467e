"""Which cells of a notebook a grade can depend on: a static reading of the cells' code (names
bound, names read before they are bound, functions followed to the globals they read, objects
changed in place), used to skip, while grading, the cells that only show something (figures,
tables, a demo's training), and by the catalogs' harness to rerun only what a variant can change.

Names reached only through ``globals()``, ``exec`` or modules are not followed, and random state
is not tracked: :func:`display_only` therefore skips only the course's own cells, unchanged,
and runs every cell of a notebook whose own code reaches names dynamically.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from nbformat import NotebookNode


def parse(source: str) -> ast.Module | None:
    """The cell's syntax tree as IPython runs it (magics and shell escapes turned into Python
    by its input transformer), or None when it cannot be parsed. Plain Python, which the
    transformer leaves as it is, is parsed directly."""
    try:
        return ast.parse(source)
    except SyntaxError:
        pass
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None


def loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def binds(statements: Iterable[ast.stmt]) -> set[str]:
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
    tree = parse(source)
    return binds(tree.body) if tree is not None else set()


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def scope_reads(node: ast.AST) -> set[str]:
    """The global (or enclosing) names a function or lambda reads when called: the names it
    loads and does not bind itself (Python makes every name a function assigns local to it),
    with what its nested functions read and it does not bind; a class, everything its body
    loads. A comprehension's own loop variables are not reads."""
    if isinstance(node, ast.ClassDef):
        return loaded(node)
    args = node.args
    local = {a.arg for a in ast.walk(args) if isinstance(a, ast.arg)}
    declared, loads, nested = set(), set(), set()
    todo = list(node.body) if isinstance(node.body, list) else [node.body]
    while todo:
        current = todo.pop()
        if isinstance(current, SCOPES):
            nested |= scope_reads(current)
            if not isinstance(current, ast.Lambda):
                local.add(current.name)
                for part in current.decorator_list:
                    loads |= loaded(part)
            if not isinstance(current, ast.ClassDef):
                for part in [*current.args.defaults, *current.args.kw_defaults]:
                    loads |= loaded(part) if part is not None else set()
            continue
        if isinstance(current, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            # its own scope: the loop variables are its own, not the function's
            own = {n.id for g in current.generators for n in ast.walk(g.target)
                   if isinstance(n, ast.Name)}  # fmt: skip
            loads |= (loaded(current) - own) | loaded(current.generators[0].iter)
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


def deferred(tree: ast.Module) -> list[tuple[str, set[str]]]:
    """(name, names it reads when called) for the cell's functions, classes and lambdas."""
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((node.name, scope_reads(node)))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            found.extend((name, scope_reads(node.value)) for name in binds([node]))
    return found


def cell_reads(tree: ast.Module) -> set[str]:
    """The names a cell reads when it runs, before binding them itself: its statements' free
    reads (:func:`free_reads`: ``y = 0; print(y)`` reads no ``y``), the names in its
    top-level functions' defaults and decorators, and everything read by any other function,
    class or lambda it holds (a class body runs at once; a lambda passed to a call, or a
    function defined inside a loop, may be called in the cell). What its top-level functions
    read when called is followed through ``deferred``."""
    found = free_reads(tree.body)
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = statement.args
            for part in [*args.defaults, *args.kw_defaults, *statement.decorator_list]:
                found |= loaded(part) if part is not None else set()
            continue
        for node in ast.walk(statement):
            if isinstance(node, SCOPES):
                found |= scope_reads(node)
    return found


def names_in(node: ast.AST) -> list[ast.Name]:
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


def definition_parts(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """What Python evaluates when it defines a function: its decorators, defaults and
    annotations (its body runs when it is called)."""
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    annotations = [a.annotation for a in every if a is not None and a.annotation is not None]
    parts = [*node.decorator_list, *args.defaults, *args.kw_defaults, *annotations, node.returns]
    return [part for part in parts if part is not None]


def free_reads(statements: list[ast.stmt], bound: set[str] | None = None) -> set[str]:
    """Names the statements read before they bind them (a test's own loop variables and
    temporaries are not free; ``x = x + 1`` reads ``x``). Names read by the functions they
    define are not included (see ``deferred``)."""
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
                {n.id for n in names_in(value) if isinstance(n.ctx, ast.Load)} if value else set()
            )
            for target in getattr(stmt, "targets", None) or [stmt.target]:
                if isinstance(stmt, ast.AugAssign) and isinstance(target, ast.Name):
                    free.add(target.id)
                free |= {n.id for n in names_in(target) if isinstance(n.ctx, ast.Load)}
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            free |= {name for part in definition_parts(stmt) for name in loaded(part)}
        else:
            first: dict[str, bool] = {}
            for name in names_in(stmt):
                first.setdefault(name.id, isinstance(name.ctx, ast.Load))
            free |= {name for name, load in first.items() if load}
        free -= bound | targets
        bound |= binds([stmt])
    return free


def function_reads(tree: ast.Module) -> dict[str, set[str]]:
    """For each function (class, lambda assigned to a name) a cell defines: the global names
    it reads when called (:func:`scope_reads`), and those of its defaults and decorators."""
    found = dict(deferred(tree))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in [*node.args.defaults, *node.args.kw_defaults, *node.decorator_list]:
                found[node.name] |= loaded(part) if part is not None else set()
    return found


def touched(tree: ast.Module, names: set[str]) -> bool:
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
    trees = [parse(c.source) if c.cell_type == "code" else None for c in nb.cells]
    functions: dict[str, set[str]] = {}
    for tree in trees:
        for name, names in (function_reads(tree) if tree is not None else {}).items():
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
            list(free_reads(tree.body) | set().union(*function_reads(tree).values())),
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
            keep = bool(binds(tree.body) & needed) or touched(tree, needed)
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
    trees = {i: parse(nb.cells[i].source) for i in code}
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


# Names a cell can reach without naming them: a notebook whose own code uses one is run whole.
DYNAMIC_NAMES = {"globals", "locals", "vars", "eval", "exec", "compile", "get_ipython",
                 "__import__", "__builtins__", "__main__", "builtins", "inspect"}  # fmt: skip
DYNAMIC_ATTRIBUTES = {"modules", "f_globals", "f_locals", "f_back", "__dict__", "__globals__"}


def reaches_dynamically(tree: ast.Module) -> bool:
    """Whether code can read or change global names without naming them: ``globals()``,
    ``exec``, magics (``get_ipython``), ``sys.modules``, frames, ``__main__``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in DYNAMIC_NAMES:
            return True
        if isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRIBUTES:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(m.split(".")[0] in DYNAMIC_NAMES for m in modules):
                return True
    return False


def _restored(cell: NotebookNode) -> bool:
    """Whether nbgrader puts back the master's source of this cell when it autogrades (a
    locked cell, or a test cell)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


def display_only(nb: NotebookNode, release: NotebookNode) -> set[int]:
    """The code cells of a submission ``nb`` that a grade cannot depend on, and need not run:
    cells the course wrote (their source is that of a plain code cell of the ``release``, the
    notebook students were given) that only show something, off every graded test's
    :func:`graded_path`. Every other cell is a root of that path: nbgrader cells, imports, and
    any cell the student wrote or changed, with whatever it reads.

    Returns no cell when a cell the student wrote cannot be parsed or reaches names
    dynamically (:func:`reaches_dynamically`): then the notebook runs whole.
    """
    ours = {
        c.source
        for c in release.cells
        if c.cell_type == "code" and not c.get("metadata", {}).get("nbgrader")
    }
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    trees = {i: parse(nb.cells[i].source) for i in code}
    candidates = {
        i
        for i in code
        if not nb.cells[i].get("metadata", {}).get("nbgrader")
        and nb.cells[i].source in ours
        and nb.cells[i].source.strip()
    }
    students = [i for i in code if i not in candidates and not _restored(nb.cells[i])]
    if any(trees[i] is None or reaches_dynamically(trees[i]) for i in students):
        return set()
    imports = {
        i
        for i in candidates
        if trees[i] is not None
        and any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in trees[i].body)
    }
    roots = (set(code) - candidates) | imports
    return set(code) - set(graded_path(nb, code, roots))
