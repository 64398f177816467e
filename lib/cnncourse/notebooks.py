"""Keeping the course's notebooks tidy: links at the top, an install cell, no stray outputs.

Instructor and CI tooling (students never call it); ``make release`` and ``make outputs`` run it.

* **stamp** -- every lesson starts with "Open in Colab" and "Launch Binder" badges pointing at
  the released notebook of this course version, and has a locked cell (just before the setup
  cell) that installs this library when it is missing, as it is on a fresh Colab runtime.
  The repository address and the version come from ``pyproject.toml``, the one place for both.
* **strip** -- notebooks are committed without outputs or execution counts, except the cells
  tagged ``nbval-check-output``, whose stored outputs (and count: nbval takes a cell without
  one for a cell never run) nbval compares. Those cells carry ``"keep_output": true`` so that
  nbstripout (the pre-commit hook, run with ``--keep-id --keep-count``) keeps them too.
* **check** -- lists the notebooks that are not stamped and stripped (used by the tests).
* **table** -- rewrites the lesson table of a markdown file (the README), between the lines
  ``<!-- lessons:start -->`` and ``<!-- lessons:end -->``, from the masters: each lesson's
  title, its exercises and points, and its Colab link. ``make release`` runs it.

    python -m cnncourse.notebooks stamp solutions/*/*.ipynb
    python -m cnncourse.notebooks strip solutions/*/*.ipynb course/*/*.ipynb
    python -m cnncourse.notebooks check solutions/*/*.ipynb course/*/*.ipynb
    python -m cnncourse.notebooks table README.md
"""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

CHECK_TAG = "nbval-check-output"
BADGES_ID = "badges"
INSTALL_ID = "install"
TABLE_START = "<!-- lessons:start -->"
TABLE_END = "<!-- lessons:end -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Project:
    """Where the course lives and which version this is (both from ``pyproject.toml``)."""

    repository: str  # e.g. https://github.com/OWNER/NAME
    version: str  # e.g. 2026.2.0; released as the git tag v2026.2.0

    @property
    def tag(self) -> str:
        """The git tag of this version, which the badges and the install cell pin."""
        return f"v{self.version}"

    @property
    def github_path(self) -> str:
        """``OWNER/NAME`` of a GitHub repository address."""
        prefix = "https://github.com/"
        if not self.repository.startswith(prefix):
            raise ValueError(
                f"the Repository URL {self.repository!r} in pyproject.toml is not a GitHub "
                "address (https://github.com/OWNER/NAME); Colab and Binder links need one"
            )
        return self.repository[len(prefix) :].strip("/").removesuffix(".git")


def project(pyproject: str | Path = _ROOT / "pyproject.toml") -> Project:
    """Read the repository address (``[project.urls] Repository``) and the version."""
    import tomllib

    path = Path(pyproject)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; run this from the course repository")
    data = tomllib.loads(path.read_text())
    meta = data.get("project", {})
    repository = meta.get("urls", {}).get("Repository")
    version = meta.get("version")
    if not repository or not version:
        raise ValueError(
            f"{path} needs [project] version and [project.urls] Repository for the lesson links"
        )
    return Project(repository=repository, version=version)


def lesson_path(notebook: str | Path) -> str:
    """The released notebook's path in the repository, e.g. ``course/03-conv2d/03-conv2d.ipynb``."""
    path = Path(notebook)
    return f"course/{path.parent.name}/{path.name}"


def colab_url(proj: Project, notebook: str | Path) -> str:
    """Address that opens the released lesson of this version in Google Colab."""
    return (
        f"https://colab.research.google.com/github/{proj.github_path}/blob/{proj.tag}/"
        f"{lesson_path(notebook)}"
    )


def binder_url(proj: Project, notebook: str | Path) -> str:
    """Address that starts this version on mybinder.org with the lesson open in JupyterLab."""
    return (
        f"https://mybinder.org/v2/gh/{proj.github_path}/{proj.tag}"
        f"?urlpath=lab/tree/{lesson_path(notebook)}"
    )


def badges_source(proj: Project, notebook: str | Path) -> str:
    """Markdown of the badges cell."""
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({colab_url(proj, notebook)}) "
        f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({binder_url(proj, notebook)})"
        f"\n\n*Course version {proj.version}. On Colab, run the install cell below first.*"
    )


def install_source(proj: Project) -> str:
    """Code of the install cell: a no-op where the library is installed (``make lab``, CI)."""
    return (
        "# Colab or a fresh environment: install the course's helper library when it is\n"
        "# missing (this takes a minute once). In the course's own environment it does nothing.\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("cnncourse") is None:\n'
        "    subprocess.run(\n"
        '        [sys.executable, "-m", "pip", "install", "--quiet",\n'
        f'         "cnncourse @ git+{proj.repository}@{proj.tag}"],\n'
        "        check=True,\n"
        "    )"
    )


def _find(nb: NotebookNode, cell_id: str) -> int | None:
    for i, cell in enumerate(nb.cells):
        if cell.get("id") == cell_id:
            return i
    return None


def _setup_index(nb: NotebookNode, path: Path) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup":
            return i
    raise ValueError(
        f"{path} has no cell with nbgrader grade_id 'setup'; every lesson needs its locked "
        "setup cell (the install cell goes just before it)"
    )


def stamp_notebook(nb: NotebookNode, proj: Project, path: str | Path) -> NotebookNode:
    """Return a copy of ``nb`` with the badges cell first and the install cell before setup."""
    nb = copy.deepcopy(nb)
    for cell_id in (BADGES_ID, INSTALL_ID):
        index = _find(nb, cell_id)
        if index is not None:
            del nb.cells[index]
    badges = nbformat.v4.new_markdown_cell(badges_source(proj, path))
    badges["id"] = BADGES_ID
    nb.cells.insert(0, badges)
    install = nbformat.v4.new_code_cell(install_source(proj))
    install["id"] = INSTALL_ID
    install.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": INSTALL_ID,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    nb.cells.insert(_setup_index(nb, Path(path)), install)
    return nb


def strip_notebook(nb: NotebookNode) -> NotebookNode:
    """Return a copy without outputs and counts, except the cells nbval compares."""
    from nbstripout import strip_output

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if CHECK_TAG in cell.get("metadata", {}).get("tags", []):
            cell.metadata["keep_output"] = True
        else:
            cell.get("metadata", {}).pop("keep_output", None)
            if cell.cell_type == "code":
                # nbval treats a cell with outputs but no count as never run, so the checked
                # cells keep theirs (hence `nbstripout --keep-count` in the pre-commit hook)
                cell.execution_count = None
    return strip_output(
        nb,
        keep_output=False,
        keep_count=True,
        keep_id=True,
        extra_keys=[],
        drop_empty_cells=False,
        drop_tagged_cells=[],
        strip_init_cells=False,
        max_size=0,
    )


def _text(nb: NotebookNode) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _apply(paths: list[Path], change, write: bool) -> list[Path]:
    """Run ``change(nb, path)`` on each notebook; return those it changes (writing them)."""
    changed = []
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a notebook file")
        before = path.read_text()
        after = _text(change(nbformat.reads(before, as_version=4), path))
        if after != before:
            changed.append(path)
            if write:
                path.write_text(after)
    return changed


def stamp(paths: list[str | Path], proj: Project | None = None, write: bool = True) -> list[Path]:
    """Stamp master notebooks; return the ones that changed."""
    proj = proj or project()
    return _apply(
        [Path(p) for p in paths], lambda nb, p: strip_notebook(stamp_notebook(nb, proj, p)), write
    )


def strip(paths: list[str | Path], write: bool = True) -> list[Path]:
    """Strip notebooks; return the ones that changed."""
    return _apply([Path(p) for p in paths], lambda nb, p: strip_notebook(nb), write)


def check(paths: list[str | Path], masters: bool = True) -> list[str]:
    """Problems with committed notebooks: unstripped ones and (for masters) stale stamps."""
    problems = [
        f"{p}: has outputs or execution counts outside the nbval-checked cells "
        "(run `make outputs`, or `python -m cnncourse.notebooks strip` on it)"
        for p in strip(paths, write=False)
    ]
    if masters:
        master_paths = [p for p in paths if Path(p).parts[-3:-2] == ("solutions",)]
        problems += [
            f"{p}: badges or install cell missing or stale for this version (run `make release`)"
            for p in stamp(master_paths, write=False)
        ]
    return problems


@dataclass(frozen=True)
class Lesson:
    """What the lesson table says about one lesson, read from its master."""

    name: str  # NN-slug
    title: str  # the master's first "# " heading, less its "NN · " prefix
    exercises: int  # answer cells the tests grade (code)
    points: float  # points of the graded test cells
    written: int  # written questions (markdown answer cells graded by hand)
    written_points: float


def _number(value: float) -> str:
    return f"{value:g}"


def summarize(master: str | Path) -> Lesson:
    """The title, exercises and points of a master notebook (``solutions/NN-slug/NN-slug.ipynb``).

    Raises:
        ValueError: if the master has no ``# `` title heading.
    """
    path = Path(master)
    nb = nbformat.read(path, as_version=4)
    headings = [
        line[2:].strip()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("# ")
    ]
    if not headings:
        raise ValueError(
            f"{path} has no title: its first markdown cell needs a '# NN · Title' line"
        )
    title = headings[0].split(" · ", 1)[-1] if " · " in headings[0] else headings[0]
    exercises = written = 0
    points = written_points = 0.0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade") and cell.cell_type == "markdown":
            written += 1
            written_points += float(meta.get("points", 0))
        elif meta.get("solution") and cell.cell_type == "code":
            exercises += 1
        elif meta.get("grade") and cell.cell_type == "code":
            points += float(meta.get("points", 0))
    return Lesson(path.parent.name, title, exercises, points, written, written_points)


def lesson_table(root: str | Path = _ROOT, proj: Project | None = None) -> str:
    """The markdown table of the lessons under ``root/solutions`` (one row each, in order)."""
    root = Path(root)
    proj = proj or project(root / "pyproject.toml")
    masters = sorted(root.glob("solutions/[0-9][0-9]-*/*.ipynb"))
    masters = [m for m in masters if m.stem == m.parent.name]
    if not masters:
        raise FileNotFoundError(f"{root / 'solutions'} holds no lesson (NN-slug/NN-slug.ipynb)")
    rows = [
        "| Lesson | Title | Exercises | Points | Open |",
        "|---|---|---|---|---|",
    ]
    for master in masters:
        lesson = summarize(master)
        released = lesson_path(master)
        exercises, points = str(lesson.exercises), _number(lesson.points)
        if lesson.written:
            exercises += f" + {lesson.written} written"
            points += f" + {_number(lesson.written_points)}"
        rows.append(
            f"| [{lesson.name}]({released}) | {lesson.title} | {exercises} | {points} | "
            f"[![Colab]({COLAB_BADGE})]({colab_url(proj, master)}) |"
        )
    return "\n".join(rows)


def update_table(markdown: str | Path, root: str | Path = _ROOT, write: bool = True) -> bool:
    """Put :func:`lesson_table` between the lesson-table markers of ``markdown``.

    Returns True when the text changed (written only if ``write``).

    Raises:
        ValueError: if the file lacks the markers.
    """
    path = Path(markdown)
    text = path.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(
            f"{path} has no {TABLE_START} ... {TABLE_END} lines; put both where the lesson "
            "table goes"
        )
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    new = f"{head}{TABLE_START}\n{lesson_table(root)}\n{TABLE_END}{tail}"
    if new != text and write:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnncourse.notebooks", description=__doc__)
    parser.add_argument("command", choices=("stamp", "strip", "check", "table"))
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks (table: README.md)")
    args = parser.parse_args(argv)
    if args.command == "table":
        for markdown in args.notebooks:
            root = markdown.resolve().parent
            changed = update_table(markdown, root)
            print(f"table: {markdown} {'updated' if changed else 'unchanged'}")
        return 0
    if args.command == "check":
        problems = check(args.notebooks)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    changed = (stamp if args.command == "stamp" else strip)(args.notebooks)
    for path in changed:
        print(f"{args.command}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
