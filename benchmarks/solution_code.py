"""Load solution functions from a master notebook at run time (never copied into the repo).

:func:`load_solution` runs, in one namespace and in notebook order, the notebook's setup cell(s),
its answer cells (nbgrader ``solution: true``) and only those ordinary cells that these cells, or
the names asked for, need: a cell is needed when it defines a global name that a selected cell
reads (found with :mod:`symtable`, so names local to a function do not count). Graded test cells
never run. Matplotlib uses the Agg backend and the cells' printed output is captured, so loading
is quiet and needs no display.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import symtable
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


@dataclass(frozen=True)
class Cell:
    """One code cell of a notebook, with what it defines and what it reads."""

    index: int
    cell_id: str
    source: str
    kind: str  # "setup", "solution", "test" or "ordinary"
    defines: frozenset[str]
    reads: frozenset[str]


def notebook_path(lesson: str, root: Path = ROOT) -> Path:
    """The master notebook of ``lesson`` (``"03-conv2d"`` or a path to an ``.ipynb``).

    Raises:
        FileNotFoundError: no such notebook under ``solutions/``.
    """
    candidate = Path(lesson)
    if candidate.suffix == ".ipynb":
        path = candidate if candidate.is_absolute() else root / candidate
    else:
        path = root / "solutions" / lesson / f"{lesson}.ipynb"
    if not path.is_file():
        known = sorted(p.name for p in (root / "solutions").glob("*") if p.is_dir())
        raise FileNotFoundError(
            f"No master notebook at {path}. Name a lesson folder of solutions/ ({', '.join(known)})"
            " or pass the path of an .ipynb file."
        )
    return path


def _clean_source(source: str) -> str:
    """Cell source with IPython magics and shell escapes turned into ``pass``."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "pass  # " + stripped
        lines.append(line)
    return "\n".join(lines)


def _names(source: str, label: str) -> tuple[frozenset[str], frozenset[str]]:
    """(globals the code defines, globals it reads) -- reads include those inside functions."""
    try:
        table = symtable.symtable(source, label, "exec")
    except SyntaxError as error:
        raise SyntaxError(f"{label} is not valid Python: {error}") from None
    defines = {
        s.get_name()
        for s in table.get_symbols()
        if s.is_assigned() or s.is_imported() or s.is_namespace()
    }
    reads: set[str] = set()

    def walk(t: symtable.SymbolTable, top: bool) -> None:
        for s in t.get_symbols():
            if not s.is_referenced():
                continue
            if top or s.is_global():
                reads.add(s.get_name())
        for child in t.get_children():
            walk(child, False)

    walk(table, True)
    return frozenset(defines), frozenset(reads - defines - set(dir(builtins)))


def _kind(metadata: dict[str, Any]) -> str:
    nbgrader = metadata.get("nbgrader", {})
    if nbgrader.get("solution"):
        return "solution"
    if nbgrader.get("grade"):
        return "test"
    if nbgrader.get("grade_id") == "setup":
        return "setup"
    return "ordinary"


def read_cells(path: Path) -> list[Cell]:
    """The code cells of the notebook at ``path``, classified and analysed."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = []
    for index, raw in enumerate(notebook.get("cells", [])):
        if raw.get("cell_type") != "code":
            continue
        source = raw.get("source", "")
        source = _clean_source("".join(source) if isinstance(source, list) else source)
        cell_id = raw.get("id") or f"cell {index}"
        defines, reads = _names(source, f"{Path(path).name}:{cell_id}")
        cells.append(Cell(index, cell_id, source, _kind(raw.get("metadata", {})), defines, reads))
    if not any(c.kind == "setup" for c in cells) and cells:
        first = cells[0]  # no cell marked setup: the first code cell plays that part
        cells[0] = Cell(
            first.index, first.cell_id, first.source, "setup", first.defines, first.reads
        )
    return cells


def select_cells(cells: list[Cell], names: list[str]) -> list[Cell]:
    """The setup and answer cells, plus the ordinary cells they (or ``names``) need, in order.

    A name read by a selected cell comes from the last ordinary cell that defines it before that
    cell (or, failing that, the first one after it), unless a selected cell already defines it.
    """
    selected = {c.index: c for c in cells if c.kind in ("setup", "solution")}
    providers = [c for c in cells if c.kind == "ordinary"]

    def provider(name: str, before: int) -> Cell | None:
        earlier = [c for c in providers if name in c.defines and c.index < before]
        if earlier:
            return earlier[-1]
        later = [c for c in providers if name in c.defines]
        return later[0] if later else None

    wanted = [(name, 10**9) for name in names]
    pending = list(selected.values())
    while wanted or pending:
        if pending:
            cell = pending.pop()
            wanted += [(name, cell.index) for name in cell.reads]
            continue
        name, before = wanted.pop()
        if any(name in c.defines for c in selected.values()):
            continue
        cell = provider(name, before)
        if cell is not None and cell.index not in selected:
            selected[cell.index] = cell
            pending.append(cell)
    return [selected[i] for i in sorted(selected)]


def load_solution(
    lesson: str, names: list[str] | tuple[str, ...], *, root: Path = ROOT, quiet: bool = True
) -> dict[str, Any]:
    """Run a master notebook's solution code and return ``{name: object}`` for ``names``.

    ``lesson`` is a folder of ``solutions/`` (``"03-conv2d"``) or a notebook path. The cells run
    with matplotlib's Agg backend; with ``quiet`` their printed output is discarded.

    Raises:
        FileNotFoundError: no such notebook.
        KeyError: a name is not defined once the cells have run (the message lists what is).
        RuntimeError: a cell failed (the message names the cell and the error).
    """
    if isinstance(names, str):
        names = [names]
    path = notebook_path(lesson, root)
    cells = select_cells(read_cells(path), list(names))
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    namespace: dict[str, Any] = {"__name__": f"solution_{path.stem.replace('-', '_')}"}
    sink = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in cells:
            try:
                code = compile(cell.source, f"{path.name}:{cell.cell_id}", "exec")
                with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
                    exec(code, namespace)  # noqa: S102 -- running the course's own notebook
            except Exception as error:
                raise RuntimeError(
                    f"{path.name}, {cell.kind} cell {cell.cell_id} failed while loading "
                    f"{list(names)}: {type(error).__name__}: {error}. Run the notebook itself "
                    "to see the failure in context."
                ) from error
            finally:
                plt.close("all")
    missing = [name for name in names if name not in namespace]
    if missing:
        defined = sorted(k for k, v in namespace.items() if not k.startswith("_") and callable(v))
        raise KeyError(
            f"{path.name} defines no {', '.join(missing)} in its setup, answer or needed "
            f"ordinary cells. Callables it does define: {', '.join(defined)}. Check the "
            "spelling, or whether the lesson renamed the function."
        )
    return {name: namespace[name] for name in names}
