"""Build the course website: the released lessons as a static HTML site, with their figures.

    python website/build.py [--out DIR] [--lessons 00,01] [--execute 00,01|all|none]
                            [--mode fast|cpu|full|auto]

The pages come from the RELEASED notebooks (``course/NN-slug/NN-slug.ipynb``), so they never
show a solution or a hidden test. To show the figures and printed results, each lesson's MASTER
(``solutions/NN-slug/NN-slug.ipynb``) is executed with nbclient in the chosen mode, and the
outputs of its ordinary cells -- those without nbgrader ``solution``, ``grade`` or ``task``
metadata -- are copied into the released cell with the same id. Answer cells and test cells stay
without output. The two notebooks must line up (same cell ids in the same order, same source in
every ordinary cell); a stale ``course/`` is refused with "run make release".

The documentation pages (``docs/*.md`` and ``CONTRIBUTING.md``) are published next to the
lessons, under ``docs/``: a link between two of them stays a link on the site, and a link to
any other file of the repository (the README, a test, a folder) becomes its address on GitHub
at this version's tag.

Sphinx (myst-nb, sphinx-book-theme) then renders the pages with notebook execution off: the
build itself needs no kernel and no network. Sphinx warnings fail the build.

Layout under ``--out`` (default ``website/_build``): ``html/`` is the site (open
``html/index.html``); ``source/``, ``doctrees/``, ``jupyter_execute/`` and ``logs/`` (the
kernels' stderr) are working files.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
WEBSITE = ROOT / "website"
MODES = ("fast", "cpu", "full", "auto")
DEFAULT_MODE = "cpu"
SPHINX_PACKAGES = ("sphinx", "myst_nb", "sphinx_book_theme")  # import names
BUILD_NOTE_MARKER = "<!-- build-note -->"
DOCS_TOC_MARKER = "<!-- docs-toc -->"
# Documentation pages on the site, in the order of its table of contents: repository path ->
# page name under docs/. docs/*.md not named here follow in alphabetical order.
DOC_PAGES = {
    "docs/instructors.md": "instructors",
    "docs/grader.md": "grader",
    "docs/isolation.md": "isolation",
    "docs/benchmarks.md": "benchmarks",
    "docs/testing.md": "testing",
    "CONTRIBUTING.md": "contributing",
}
LINK = re.compile(r"(\]\()([^)\s]+)(\))")
# Mime types of live widgets: without the saved widget state they cannot be shown on a static
# page (myst-nb would warn), so the static alternatives in the same output are kept instead.
WIDGET_MIME_TYPES = ("application/vnd.jupyter.widget-view+json",)
LESSON_NOTE = """\
:::{note}
This is the read-only web version of the lesson, as students receive it. Exercise cells show
`raise NotImplementedError` and have no output: open the notebook in JupyterLab (`make lab`) to
write your answers and run the tests.
:::"""


class SiteError(RuntimeError):
    """The website cannot be built; the message says why and what to do."""


def lessons(root: Path = ROOT) -> list[str]:
    """The lesson names (``NN-slug``) that have a master under ``root/solutions``, sorted."""
    folder = root / "solutions"
    return sorted(path.name for path in folder.iterdir() if (path / f"{path.name}.ipynb").is_file())


def select(available: Sequence[str], spec: str | None) -> list[str]:
    """The lessons named by ``spec``: ``"all"``/None, ``"none"``, or ``"00,03-conv2d,..."``.

    Each comma-separated item is a lesson's full name or its number prefix.

    Raises:
        SiteError: if an item matches no lesson, or more than one.
    """
    if spec is None or spec.strip().lower() == "all":
        return list(available)
    if spec.strip().lower() == "none":
        return []
    chosen = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        matches = [name for name in available if name == item or name.startswith(item + "-")]
        matches = matches or [name for name in available if name.startswith(item)]
        if len(matches) != 1:
            raise SiteError(
                f"{item!r} names {len(matches)} lessons; give a number or a full name, "
                f"one of: {', '.join(available)}"
            )
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return sorted(chosen)


def is_ordinary(cell: NotebookNode) -> bool:
    """True for a cell that is neither an answer, a test nor a task cell of nbgrader."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return not (meta.get("solution") or meta.get("grade") or meta.get("task"))


def check_aligned(master: NotebookNode, released: NotebookNode, lesson: str) -> None:
    """Check that the released notebook is the current release of the master.

    Raises:
        SiteError: if the cell ids, their order, the cell kinds or an ordinary cell's source
            differ -- ``course/`` is stale and ``make release`` regenerates it.
    """
    fix = f"course/{lesson} is stale: run `make release` (then rebuild the site)."
    master_ids = [cell.get("id") for cell in master.cells]
    released_ids = [cell.get("id") for cell in released.cells]
    if None in master_ids:
        raise SiteError(f"solutions/{lesson} has cells without an id (nbformat < 4.5). {fix}")
    if master_ids != released_ids:
        where = next(
            (i for i, (a, b) in enumerate(zip(master_ids, released_ids)) if a != b),
            min(len(master_ids), len(released_ids)),
        )
        raise SiteError(
            f"course/{lesson} and solutions/{lesson} do not line up: the master has "
            f"{len(master_ids)} cells, the release {len(released_ids)}; first difference at "
            f"cell {where}. {fix}"
        )
    for mine, theirs in zip(master.cells, released.cells):
        if mine.cell_type != theirs.cell_type or is_ordinary(mine) != is_ordinary(theirs):
            raise SiteError(f"Cell {mine.id} of {lesson} changed kind since the release. {fix}")
        if is_ordinary(mine) and mine.source != theirs.source:
            raise SiteError(f"Cell {mine.id} of {lesson} was edited since the release. {fix}")


def execute_master(path: Path, mode: str, timeout: int, log_file: Path) -> NotebookNode:
    """Execute a master notebook in its own folder with ``CNN_COURSE_MODE=mode``.

    The kernel's own stderr (TensorFlow's start-up chatter, crashes) goes to ``log_file``.

    Raises:
        SiteError: if a cell fails (a master must run cleanly in every mode).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, CNN_COURSE_MODE=mode)
    env.pop("NBGRADER_EXECUTION", None)  # it would force fast mode
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        with log_file.open("w", encoding="utf-8") as kernel_stderr:
            client.execute(env=env, stderr=kernel_stderr)
    except (CellExecutionError, CellTimeoutError, RuntimeError) as error:
        raise SiteError(
            f"{path} does not run in {mode} mode, so the site cannot show its outputs. Fix "
            f"the master (or build without executing it: --execute none). Kernel log: "
            f"{log_file}. The error:\n{error}"
        ) from error
    return nb


def collapse_carriage_returns(text: str) -> str:
    """Text as a terminal shows it: a line rewritten after carriage returns keeps its last text."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in lines)


def static_outputs(outputs: Sequence[NotebookNode]) -> list[NotebookNode]:
    """The outputs a static page can show, as a reader of the live notebook saw them last.

    Consecutive pieces of one stream are joined and progress bars show their final state;
    widget views are dropped and the static alternatives in the same output kept.
    """
    kept: list[NotebookNode] = []
    for output in outputs:
        output = copy.deepcopy(output)
        if "data" in output:
            for mime in WIDGET_MIME_TYPES:
                output.data.pop(mime, None)
            if not output.data:
                continue
        previous = kept[-1] if kept else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
            continue
        kept.append(output)
    for output in kept:
        if output.output_type == "stream":
            output.text = collapse_carriage_returns(output.text)
    return kept


def merge_outputs(executed_master: NotebookNode, released: NotebookNode) -> NotebookNode:
    """The released notebook with the outputs of the master's ordinary code cells.

    Answer and test cells get no output (their outputs would come from the solution and the
    hidden tests). Both notebooks must already line up (:func:`check_aligned`).
    """
    merged = copy.deepcopy(released)
    for source, target in zip(executed_master.cells, merged.cells):
        if target.cell_type != "code":
            continue
        target.outputs = static_outputs(source.outputs) if is_ordinary(source) else []
        target.execution_count = None
        target.metadata.pop("execution", None)
    merged.metadata.pop("widgets", None)
    return merged


def blank_outputs(released: NotebookNode) -> NotebookNode:
    """The released notebook with every output removed (a lesson that was not executed)."""
    blank = copy.deepcopy(released)
    for cell in blank.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return blank


def with_lesson_note(nb: NotebookNode) -> NotebookNode:
    """The notebook with a note on how to work the lesson, after the cell with its title."""
    noted = copy.deepcopy(nb)
    note = nbformat.v4.new_markdown_cell(LESSON_NOTE)
    note.id = "website-note"
    titled = [
        index
        for index, cell in enumerate(noted.cells)
        if cell.cell_type == "markdown"
        and any(line.startswith("# ") for line in cell.source.splitlines())
    ]
    noted.cells.insert(titled[0] + 1 if titled else 0, note)
    return noted


def lesson_page(
    root: Path, lesson: str, execute: bool, mode: str, timeout: int, logs: Path
) -> NotebookNode:
    """One lesson's page: the released notebook, with the master's outputs if ``execute``.

    The kernel's stderr is kept in ``logs/<lesson>.log``.
    """
    master_path = root / "solutions" / lesson / f"{lesson}.ipynb"
    released_path = root / "course" / lesson / f"{lesson}.ipynb"
    if not released_path.is_file():
        raise SiteError(f"course/{lesson}/{lesson}.ipynb is missing: run `make release`.")
    released = nbformat.read(released_path, as_version=4)
    master = nbformat.read(master_path, as_version=4)
    check_aligned(master, released, lesson)
    if not execute:
        return with_lesson_note(blank_outputs(released))
    return with_lesson_note(
        merge_outputs(execute_master(master_path, mode, timeout, logs / f"{lesson}.log"), released)
    )


def index_page(
    mode: str, executed: Sequence[str], shown: Sequence[str], docs: Sequence[str] = ()
) -> str:
    """The index page: ``website/index.md`` with a line saying how its outputs were made and
    the table of contents of the documentation pages ``docs``."""
    template = (WEBSITE / "index.md").read_text(encoding="utf-8")
    for marker in (BUILD_NOTE_MARKER, DOCS_TOC_MARKER):
        if marker not in template:
            raise SiteError(f"website/index.md lost its {marker} line; put it back.")
    template = template.replace(DOCS_TOC_MARKER, "\n".join(f"docs/{name}" for name in docs))
    how = f"**{mode}** mode"
    if mode == "auto":
        how += " (**full** where a GPU was found, **cpu** otherwise)"
    note = (
        f"The figures and printed results on these pages come from running the lessons in "
        f"{how} (`CNN_COURSE_MODE`)."
    )
    skipped = [lesson for lesson in shown if lesson not in executed]
    if skipped and executed:
        note += f" Shown without outputs (not executed for this build): {', '.join(skipped)}."
    elif skipped:
        note = "This build shows the lessons without outputs (none was executed)."
    return template.replace(BUILD_NOTE_MARKER, note)


def doc_pages(root: Path) -> dict[str, str]:
    """The documentation pages of the course in ``root``: repository path -> page name."""
    pages = {path: name for path, name in DOC_PAGES.items() if (root / path).is_file()}
    for path in sorted((root / "docs").glob("*.md")):
        relative = path.relative_to(root).as_posix()
        pages.setdefault(relative, path.stem)
    return pages


def rewrite_links(text: str, page: str, pages: dict[str, str], blob_url: str) -> str:
    """The markdown ``text`` of the repository file ``page`` with its links made to work on
    the site: links to another page of ``pages`` point at that page (``name.md``, anchors
    kept); links to any other file of the repository go to ``blob_url/<path>``; web
    addresses and in-page anchors are left alone."""

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if resolved.startswith("../"):
            raise SiteError(f"{page} links to {target}, outside the repository")
        if resolved in pages:
            new = f"{pages[resolved]}.md"
        else:
            new = f"{blob_url.rstrip('/')}/{resolved}"
        return f"{match.group(1)}{new}{'#' + anchor if anchor else ''}{match.group(3)}"

    return LINK.sub(fix, text)


def write_doc_pages(root: Path, folder: Path) -> list[str]:
    """Copy the documentation pages into ``folder`` with their links rewritten; return the
    page names in table-of-contents order."""
    from cnncourse import notebooks

    proj = notebooks.project(root / "pyproject.toml")
    blob_url = f"https://github.com/{proj.github_path}/blob/{proj.tag}"
    pages = doc_pages(root)
    folder.mkdir(parents=True, exist_ok=True)
    for path, name in pages.items():
        text = (root / path).read_text(encoding="utf-8")
        (folder / f"{name}.md").write_text(rewrite_links(text, path, pages, blob_url), "utf-8")
    return list(pages.values())


def run_sphinx(source: Path, html: Path, doctrees: Path) -> None:
    """Render ``source`` into ``html`` with ``website/conf.py``; any warning fails the build.

    Raises:
        SiteError: with Sphinx's warnings and errors, if it reports any.
    """
    command = [
        sys.executable,
        *("-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E"),
        *("-c", str(WEBSITE), "-d", str(doctrees), str(source), str(html)),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or "WARNING" in result.stderr:
        raise SiteError(
            f"Sphinx reported problems (warnings fail the build):\n{result.stderr.strip()}"
        )


def build(
    root: Path,
    out: Path,
    shown: Sequence[str],
    executed: Sequence[str],
    mode: str,
    timeout: int = 1800,
    log: Callable[[str], None] = print,
) -> Path:
    """Build the site of the course in ``root`` into ``out/html``; return its ``index.html``.

    ``shown`` are the lessons on the site, ``executed`` those of them whose masters are run
    for their outputs (the others are shown without outputs).
    """
    if mode not in MODES:
        raise SiteError(f"Mode {mode!r} is unknown; use one of {', '.join(MODES)}.")
    missing = [name for name in SPHINX_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise SiteError(
            f"The site needs {', '.join(missing)}, which this Python lacks: run `make setup` "
            f"(pyproject.toml lists them) or use the course's .venv/bin/python."
        )
    source, html, doctrees = out / "source", out / "html", out / "doctrees"
    logs = out / "logs"
    for folder in (source, html, doctrees, logs, out / "jupyter_execute"):
        shutil.rmtree(folder, ignore_errors=True)
    (source / "lessons").mkdir(parents=True)
    logs.mkdir()
    for lesson in shown:
        run = lesson in executed
        started = time.perf_counter()
        page = lesson_page(root, lesson, run, mode, timeout, logs)
        nbformat.write(page, source / "lessons" / f"{lesson}.ipynb")
        what = f"executed in {mode} mode" if run else "without outputs"
        log(f"{lesson}: {what} ({time.perf_counter() - started:.1f} s)")
    docs = write_doc_pages(root, source / "docs")
    (source / "index.md").write_text(index_page(mode, executed, shown, docs), encoding="utf-8")
    started = time.perf_counter()
    run_sphinx(source, html, doctrees)
    log(
        f"sphinx: {len(shown)} lesson pages, {len(docs)} documentation pages "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return html / "index.html"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=WEBSITE / "_build", help="build folder (site in OUT/html)"
    )
    parser.add_argument("--lessons", default="all", help="lessons on the site: all or 00,01,...")
    parser.add_argument(
        "--execute",
        default="all",
        help="lessons whose masters are executed for outputs: all (default), none or 00,01,...",
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default=os.environ.get("CNN_COURSE_MODE") or DEFAULT_MODE,
        help=f"CNN_COURSE_MODE for the executed lessons (default: $CNN_COURSE_MODE, else "
        f"{DEFAULT_MODE})",
    )
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the course repository (default: this one)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the site from the command line; print where it is, or why it failed."""
    args = parse_args(argv)
    try:
        available = lessons(args.root)
        shown = select(available, args.lessons)
        if not shown:
            raise SiteError("--lessons selects no lesson; the site needs at least one.")
        executed = [lesson for lesson in select(available, args.execute) if lesson in shown]
        started = time.perf_counter()
        index = build(
            args.root.resolve(), args.out.resolve(), shown, executed, args.mode, args.timeout
        )
    except SiteError as error:
        print(f"website: {error}", file=sys.stderr)
        return 1
    print(f"website: built in {time.perf_counter() - started:.1f} s; open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
