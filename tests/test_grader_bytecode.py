"""``make setup`` compiles, in one ordinary kernel, what the lessons' kernels import
(cnncourse.grader.bytecode): sandboxed kernels cannot write bytecode themselves."""

from __future__ import annotations

import nbformat
import pytest

from cnncourse.grader import bytecode, zygote


def notebook(path, *sources, answer: str = ""):
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    if answer:
        cell = nbformat.v4.new_code_cell(answer)
        cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "a"}
        cells.append(cell)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    return path


def test_lesson_imports_are_every_notebooks_imports_once_in_order(tmp_path):
    first = notebook(tmp_path / "a.ipynb", "import numpy as np\nfrom scipy import signal", "x = 1")
    second = notebook(
        tmp_path / "b.ipynb", "%matplotlib inline", "import json\nimport numpy",
        answer="import sklearn  # an answer's import is the student's, not the lesson's",
    )  # fmt: skip
    assert bytecode.lesson_imports([first, second]) == ["numpy", "scipy", "scipy.signal", "json"]


def test_a_notebook_that_cannot_be_read_is_named(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(ValueError, match=r"cannot read the notebook .*broken\.ipynb"):
        bytecode.lesson_imports([tmp_path / "broken.ipynb"])


def test_setup_goes_on_and_says_why_when_nothing_is_compiled(tmp_path, capsys):
    assert bytecode.main([str(tmp_path / "missing.ipynb")]) == 0
    assert "not compiled ahead" in capsys.readouterr().err
    assert bytecode.main([]) == 0  # no lesson yet: nothing to do, and setup goes on
    assert "nothing to compile" in capsys.readouterr().err


@pytest.mark.slow
def test_the_kernel_leaves_the_bytecode_of_what_it_imported(tmp_path, monkeypatch):
    (tmp_path / "cnncourse_probe_module.py").write_text("VALUE = 42\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the kernel inherits the environment
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    # a new Python, as in `make setup`: not forked from the suite's zygote (whose sys.path is set)
    monkeypatch.delenv(zygote.PLAIN_VARIABLE, raising=False)
    loaded = bytecode.compile_in_kernel(["cnncourse_probe_module", "no_such_module_here"])
    assert loaded > 100  # the kernel's own modules and the probe; the missing one is skipped
    assert list((tmp_path / "__pycache__").glob("cnncourse_probe_module.*.pyc"))
