"""The grader package's shape: modules that import alone, no import cycles, small modules whose
first docstring line says what they hold, and a ``validate`` that needs no nbgrader."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

PACKAGE = ROOT / "lib" / "cnncourse" / "grader"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def grader_imports(path: Path) -> set[str]:
    """The ``cnncourse.grader`` modules (and ``cnncourse.classgrade``) a file imports,
    at any depth of the code (imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "cnncourse.grader":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("cnncourse.grader."):
                found.add(node.module.split(".")[2])
            elif node.module == "cnncourse" and any(a.name == "classgrade" for a in node.names):
                found.add("classgrade")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("cnncourse.grader."):
                    found.add(alias.name.split(".")[2])
    return found


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone(module):
    code = f"import cnncourse.grader.{module}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_no_module_imports_in_a_circle():
    graph = {m: grader_imports(PACKAGE / f"{m}.py") - {m} for m in MODULES}
    assert all("classgrade" not in edges for edges in graph.values())

    def cycle_from(start: str, path: list[str]) -> list[str] | None:
        for follower in sorted(graph.get(path[-1], ())):
            if follower == start:
                return [*path, start]
            if follower not in path:
                found = cycle_from(start, [*path, follower])
                if found:
                    return found
        return None

    cycles = [c for m in MODULES if (c := cycle_from(m, [m]))]
    assert not cycles, cycles


def test_grading_does_not_import_the_grader():
    grading = ROOT / "lib" / "cnncourse" / "grading.py"
    assert not grader_imports(grading)


@pytest.mark.parametrize("module", MODULES)
def test_modules_are_small_and_say_what_they_hold(module):
    source = (PACKAGE / f"{module}.py").read_text()
    assert len(source.splitlines()) <= 400
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring and len(docstring.splitlines()[0]) > 20


def test_classgrade_is_a_short_alias():
    source = (ROOT / "lib" / "cnncourse" / "classgrade.py").read_text()
    assert len(source.splitlines()) < 40 and "cnncourse.grader.cli" in source


def test_validate_works_without_nbgrader(tmp_path):
    cells = [
        nbformat.v4.new_code_cell("def double(x):\n    return 2 * x"),
        nbformat.v4.new_code_cell("assert double(2) == 4\nprint('ok')"),
    ]
    cells[0].metadata["nbgrader"] = dict(
        grade=False, solution=True, locked=False, grade_id="double", schema_version=3
    )
    cells[1].metadata["nbgrader"] = dict(
        grade=True, solution=False, locked=True, points=1, grade_id="test_double", schema_version=3
    )
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, str(path))
    code = (
        "import sys; sys.modules['nbgrader'] = None\n"  # any import of nbgrader now fails
        "from cnncourse.classgrade import main\n"
        f"code = main(['validate', {str(path)!r}])\n"
        "assert not any(n == 'nbgrader' or n.startswith('nbgrader.') for n in sys.modules\n"
        "               if sys.modules[n] is not None)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "pass      test_double (1 points)" in done.stdout
