"""`make new-lesson NN-slug` makes a lesson that passes every check untouched.

The proof scaffolds a lesson into a scratch copy of the repository that holds no other lesson,
then runs there what the suite runs on a lesson: lint, nbval on the master, the release checks,
the notebook checks, the mistakes (and alternatives) catalogs, real nbgrader, and the README's
lesson table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnncourse import scaffold

from conftest import ROOT

NAME = "98-scaffold-check"
# What the scratch copy leaves out: the other lessons, and what is not the repository's source.
LEFT_OUT = {".git", ".venv", "solutions", "course", "test-artifacts", "submitted", "autograded"}
LEFT_OUT |= {"feedback", "gradebook.db", "_build", "__pycache__", ".pytest_cache"}
CHECKS = [
    "tests/test_release.py",
    "tests/test_notebooks.py",
    "tests/test_mistakes.py",
    "tests/test_alternatives.py",
    "tests/test_catalogs.py",
    "tests/test_grading.py",
    "tests/test_docs.py",
]


def scratch_copy(destination: Path) -> Path:
    """The repository without its lessons (and their catalog entries) at ``destination``."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        left_out = {name for name in names if name in LEFT_OUT}
        if Path(folder).name in ("mistakes", "alternatives"):
            left_out |= {name for name in names if name[:2].isdigit()}
        return left_out

    shutil.copytree(ROOT, destination, ignore=ignore)
    for folder in ("solutions", "course"):
        (destination / folder).mkdir()
    return destination


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a command of this environment in ``cwd``, without the outer pytest-xdist's state."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "XDIST_"))}
    env["CNN_COURSE_MODE"] = "fast"
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)


@pytest.mark.slow
@pytest.mark.nbgrader
def test_new_lesson_passes_every_check_untouched(tmp_path):
    repo = scratch_copy(tmp_path / "repo")
    made = run([sys.executable, "-m", "cnncourse.scaffold", NAME, "--root", str(repo)], repo)
    assert made.returncode == 0, made.stderr
    lesson_files = [
        f"solutions/{NAME}/{NAME}.ipynb",
        f"course/{NAME}/{NAME}.ipynb",
        f"tests/mistakes/{NAME}.md",
        f"tests/alternatives/{NAME}.md",
    ]
    for path in lesson_files:
        assert (repo / path).is_file(), f"the scaffold wrote no {path}:\n{made.stdout}"
    assert f"| [{NAME}](course/{NAME}/{NAME}.ipynb) |" in (repo / "README.md").read_text()

    bin_dir = Path(sys.executable).parent
    lint = run([str(bin_dir / "ruff"), "check", "solutions", "course"], repo)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    checks = [path for path in CHECKS if (repo / path).is_file()]
    suite = run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q"),
            *("--nbval-lax", "--nbval-current-env", "solutions", *checks),
            # a property of the whole course's catalog, not of one lesson
            *("-k", "not include_warnings_and_stderr"),
        ],
        repo,
    )
    assert suite.returncode == 0, f"checks failed on the new lesson:\n{suite.stdout[-6000:]}"
    assert " failed" not in suite.stdout and " passed" in suite.stdout

    with pytest.raises(FileExistsError, match="exists already"):
        scaffold.new_lesson(repo, NAME)
    with pytest.raises(ValueError, match=f"number 98 is taken by {NAME}"):
        scaffold.new_lesson(repo, "98-other")


def test_lesson_names_are_nn_slug():
    assert scaffold.title_of("10-object-detection") == "Object detection"
    for bad in ("10_detection", "1-detection", "10-Detection", "10-", "detection"):
        with pytest.raises(ValueError, match="is not a lesson name: use NN-slug"):
            scaffold.title_of(bad)


def test_placeholders_are_filled_and_the_title_escaped_for_json():
    template = '{"source": "# __NUMBER__ · __TITLE__", "id": "q___SLUG__", "f": "__LESSON__"}'
    filled = scaffold.fill(template, "10-detection", 'Boxes "and" more', json_text=True)
    assert filled == (
        '{"source": "# 10 · Boxes \\"and\\" more", "id": "q_detection", "f": "10-detection"}'
    )


def test_the_scaffold_refuses_a_folder_that_is_not_the_repository(tmp_path):
    with pytest.raises(FileNotFoundError, match="run this from the course repository"):
        scaffold.new_lesson(tmp_path, "10-detection")


def test_make_new_lesson_runs_the_scaffold_with_the_name_and_title():
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    command = ["make", "--no-print-directory", "-n", "new-lesson", "10-detection", "TITLE=Boxes"]
    dry_run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert dry_run.returncode == 0, dry_run.stderr
    assert '-m cnncourse.scaffold 10-detection --title "Boxes"' in dry_run.stdout
