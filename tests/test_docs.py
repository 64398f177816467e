"""The documentation: a short README with a current lesson table, and links that lead somewhere."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnncourse import notebooks

from conftest import LESSONS, ROOT

README_LIMIT = 15_000  # characters: the README is for the people who open the repository first
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
# Pages written on other branches (helpers grader and sandbox); checked as links once merged.
PAGES_FROM_OTHER_BRANCHES = {"docs/grader.md", "docs/isolation.md"}
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_is_short():
    size = len((ROOT / "README.md").read_text(encoding="utf-8"))
    assert size <= README_LIMIT, (
        f"README.md has {size} characters, more than {README_LIMIT}: move details to docs/"
    )


def test_readme_lesson_table_is_current():
    assert not notebooks.update_table(ROOT / "README.md", ROOT, write=False), (
        "README.md's lesson table is stale: run `python -m cnncourse.notebooks table README.md` "
        "(make release does)"
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lesson in LESSONS:
        assert f"| [{lesson}](course/{lesson}/{lesson}.ipynb) |" in readme


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_or_folder(page: Path):
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing"
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#", 1)[0]).resolve()
        relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        if not path.exists() and relative not in PAGES_FROM_OTHER_BRANCHES:
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to missing files: {broken}"


def test_every_make_target_the_readme_names_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", readme))
    assert named and named <= targets, f"README names missing make targets: {named - targets}"
    assert "make test" in readme, "the README's test command must stay `make test` (CI runs it)"
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def lesson_notebook(title: str = "# 42 · A small lesson") -> nbformat.NotebookNode:
    """A master with two exercises (3 + 2 points) and one written question (2 points)."""
    nb = new_notebook()

    def graded(cell, **nbgrader):
        cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, **nbgrader}
        return cell

    nb.cells = [
        new_markdown_cell(f"{title}\n\nText."),
        graded(new_code_cell("x = 1"), grade=False, solution=True, grade_id="a1"),
        graded(new_code_cell("assert x"), grade=True, solution=False, grade_id="t1", points=3),
        graded(new_code_cell("y = 1"), grade=False, solution=True, grade_id="a2"),
        graded(new_code_cell("assert y"), grade=True, solution=False, grade_id="t2", points=2),
        new_markdown_cell("Why?"),
        graded(new_markdown_cell("Because."), grade=True, solution=True, grade_id="q", points=2),
    ]
    return nb


def test_summary_counts_exercises_points_and_written_questions(tmp_path):
    path = tmp_path / "42-small" / "42-small.ipynb"
    path.parent.mkdir()
    nbformat.write(lesson_notebook(), path)
    lesson = notebooks.summarize(path)
    assert lesson == notebooks.Lesson("42-small", "A small lesson", 2, 5.0, 1, 2.0)


def test_table_row_shows_written_questions_apart(tmp_path):
    (tmp_path / "solutions" / "42-small").mkdir(parents=True)
    nbformat.write(lesson_notebook(), tmp_path / "solutions" / "42-small" / "42-small.ipynb")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nversion = "2031.1.0"\n[project.urls]\n'
        'Repository = "https://github.com/owner/course"\n'
    )
    table = notebooks.lesson_table(tmp_path)
    assert (
        "| [42-small](course/42-small/42-small.ipynb) | A small lesson | 2 + 1 written |" in table
    )
    assert "| 5 + 2 |" in table
    assert "github/owner/course/blob/v2031.1.0/course/42-small/42-small.ipynb" in table


def test_summary_without_a_title_names_the_fix(tmp_path):
    nb = lesson_notebook(title="No heading here")
    path = tmp_path / "42-small.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="needs a '# NN · Title' line"):
        notebooks.summarize(path)


def test_table_update_needs_both_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Course\n\n{notebooks.TABLE_START}\n")
    with pytest.raises(ValueError, match="lessons:end"):
        notebooks.update_table(readme, ROOT)


def test_benchmark_page_holds_the_stored_tables(tmp_path):
    from benchmarks import common

    page = tmp_path / "benchmarks.md"
    shutil.copy(ROOT / "docs" / "benchmarks.md", page)
    assert not common.update_page(page), (
        "docs/benchmarks.md differs from benchmarks/results/: run `python -c 'from benchmarks."
        "common import update_page; update_page()'` (make bench does)"
    )


def test_benchmark_page_update_replaces_only_the_marked_part(tmp_path):
    from benchmarks import common

    results = tmp_path / "results"
    results.mkdir()
    (results / "conv.md").write_text("### Convolution\n\n| a |\n|---|\n| 1 |\n")
    page = tmp_path / "page.md"
    page.write_text(
        f"# Page\n\nKept.\n\n{common.START_MARK}\nold\n{common.END_MARK}\n\nAlso kept.\n"
    )
    assert common.update_page(page, results)
    text = page.read_text()
    assert "old" not in text and "### Convolution" in text
    assert text.startswith("# Page\n\nKept.") and text.endswith("Also kept.\n")
    page.write_text("# Page without markers\n")
    with pytest.raises(ValueError, match="no <!-- benchmarks:start -->"):
        common.update_page(page, results)
