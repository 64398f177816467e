"""Notebooks are committed stamped (Colab/Binder badges, install cell) and stripped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnncourse import notebooks

from conftest import ROOT

MASTERS = sorted(ROOT.glob("solutions/*/*.ipynb"))
RELEASES = sorted(ROOT.glob("course/*/*.ipynb"))
PROJECT = notebooks.Project(repository="https://github.com/owner/course", version="2031.1.0")


def small_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# 42 · A lesson"),
        new_code_cell("import numpy as np"),
        new_code_cell("print(1)", execution_count=3),
        new_code_cell("print(2)", execution_count=4),
    ]
    nb.cells[1].metadata["nbgrader"] = {
        "grade": False, "grade_id": "setup", "locked": True, "schema_version": 3,
        "solution": False, "task": False,
    }  # fmt: skip
    nb.cells[2].outputs = [new_output("stream", name="stdout", text="1\n")]
    nb.cells[3].outputs = [new_output("stream", name="stdout", text="2\n")]
    nb.cells[3].metadata["tags"] = [notebooks.CHECK_TAG]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def test_committed_notebooks_are_stripped_and_stamped():
    assert MASTERS and RELEASES
    problems = notebooks.check(MASTERS + RELEASES)
    assert not problems, "\n".join(problems)


def test_only_cells_checked_by_nbval_keep_outputs_in_the_masters():
    for path in MASTERS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            checked = notebooks.CHECK_TAG in cell.metadata.get("tags", [])
            has_count = cell.execution_count is not None
            assert has_count == checked, f"{path.name} {cell.id}: execution count {checked=}"
            assert bool(cell.outputs) == checked, f"{path.name} {cell.id}: outputs {checked=}"
            assert cell.metadata.get("keep_output", False) == checked


def test_released_notebooks_have_no_outputs():
    for path in RELEASES:
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path


def test_strip_keeps_the_checked_cell_and_the_nbgrader_metadata():
    stripped = notebooks.strip_notebook(small_notebook())
    setup, plain, checked = stripped.cells[1:]
    assert setup.metadata["nbgrader"]["grade_id"] == "setup"
    assert plain.outputs == [] and plain.execution_count is None
    assert checked.outputs[0]["text"] == "2\n" and checked.metadata["keep_output"] is True
    assert checked.execution_count == 4, "nbval needs the count of a cell it compares"
    assert [c.id for c in stripped.cells] == [f"cell-{i}" for i in range(4)]


def test_stamp_puts_badges_first_and_a_locked_install_cell_before_setup():
    path = "solutions/42-lesson/42-lesson.ipynb"
    stamped = notebooks.stamp_notebook(small_notebook(), PROJECT, path)
    assert [c.id for c in stamped.cells[:3]] == ["badges", "cell-0", "install"]
    assert stamped.cells[3].metadata["nbgrader"]["grade_id"] == "setup"
    assert stamped.cells[2].metadata["nbgrader"]["locked"] is True
    badges = stamped.cells[0].source
    assert (
        "https://colab.research.google.com/github/owner/course/blob/v2031.1.0/"
        "course/42-lesson/42-lesson.ipynb" in badges
    )
    assert (
        "https://mybinder.org/v2/gh/owner/course/v2031.1.0"
        "?urlpath=lab/tree/course/42-lesson/42-lesson.ipynb" in badges
    )
    again = notebooks.stamp_notebook(stamped, PROJECT, path)
    assert again == stamped, "stamping twice must change nothing"


def test_stamp_without_a_setup_cell_names_the_missing_cell():
    nb = small_notebook()
    del nb.cells[1].metadata["nbgrader"]
    with pytest.raises(ValueError, match="grade_id 'setup'"):
        notebooks.stamp_notebook(nb, PROJECT, "solutions/42-x/42-x.ipynb")


def test_badges_need_a_github_repository():
    with pytest.raises(ValueError, match="not a GitHub address"):
        notebooks.Project("https://gitlab.com/owner/course", "1.0").github_path  # noqa: B018


def test_project_reads_version_and_repository_from_pyproject():
    proj = notebooks.project(ROOT / "pyproject.toml")
    assert proj.repository.startswith("https://github.com/")
    assert proj.tag == f"v{proj.version}"


def run_install_cell(monkeypatch, found: bool) -> list[list[str]]:
    """Execute the install cell with find_spec and subprocess.run replaced; return pip calls."""
    import importlib.util

    calls: list[list[str]] = []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object() if found else None)
    monkeypatch.setattr(subprocess, "run", lambda args, check: calls.append(args))
    exec(notebooks.install_source(PROJECT), {})
    return calls


def test_install_cell_does_nothing_where_the_library_is_installed(monkeypatch):
    assert run_install_cell(monkeypatch, found=True) == []


def test_install_cell_installs_this_version_from_the_repository_when_missing(monkeypatch):
    (call,) = run_install_cell(monkeypatch, found=False)
    assert call[:4] == [sys.executable, "-m", "pip", "install"]
    assert call[-1] == "cnncourse @ git+https://github.com/owner/course@v2031.1.0"


def test_every_released_lesson_starts_with_badges_and_the_install_cell():
    proj = notebooks.project()
    for path in RELEASES:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].source == notebooks.badges_source(proj, path), path
        install = next(c for c in nb.cells if c.get("id") == "install")
        assert install.source == notebooks.install_source(proj)
        assert install.metadata["nbgrader"]["locked"] is True


@pytest.mark.slow
def test_the_pre_commit_nbstripout_hook_leaves_committed_notebooks_unchanged(tmp_path):
    nbstripout = shutil.which("nbstripout", path=str(Path(sys.executable).parent))
    assert nbstripout, "nbstripout is missing: run `make setup`"
    copies = []
    for path in MASTERS + RELEASES:
        copy = tmp_path / path.parent.parent.name / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(path, copy)
        copies.append((path, copy))
    flags = ["--keep-id", "--keep-count"]  # as in .pre-commit-config.yaml
    subprocess.run([nbstripout, *flags, *(str(c) for _, c in copies)], check=True)
    changed = [str(p) for p, c in copies if p.read_bytes() != c.read_bytes()]
    assert not changed, f"nbstripout {' '.join(flags)} would change: {changed}"


def test_pre_commit_config_is_valid_and_uses_the_project_environment():
    pre_commit = Path(sys.executable).parent / "pre-commit"
    config = ROOT / ".pre-commit-config.yaml"
    subprocess.run([str(pre_commit), "validate-config", str(config)], check=True)
    text = config.read_text()
    assert "repo: local" in text and "--keep-id --keep-count" in text and "rev:" not in text


def test_readme_badges_point_at_this_version():
    proj = notebooks.project()
    readme = (ROOT / "README.md").read_text()
    for path in RELEASES:
        assert notebooks.colab_url(proj, path) in readme, f"README: no Colab badge for {path}"
    binder = f"https://mybinder.org/v2/gh/{proj.github_path}/{proj.tag}?urlpath=lab/tree/course"
    assert binder in readme, "README: the Binder badge does not point at this version"
