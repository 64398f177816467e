"""Shared fixtures: the repository, its lessons, temporary nbgrader course folders."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from cnncourse import grading

# The suite runs in fast mode unless told otherwise, and never downloads data.
os.environ.setdefault("CNN_COURSE_MODE", "fast")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
LESSONS = grading.lessons(ROOT)
MARKERS = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS")


SHARED = "CNN_TEST_SHARED_ZYGOTES"  # set by xdist's controller: the pid of its plain zygote
FORK = "CNN_TEST_FORK"  # "0": start every kernel as usual


def start_zygotes(folder: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    """Start the suite's zygotes in ``folder`` (``stack`` stops them), each of which imported
    the lessons' heavy modules once; the environment that points kernels at them:

    - a plain one for unsandboxed kernels (the harness's, nbgrader's with isolation ``none``):
      a kernel spec ``python3`` on ``JUPYTER_PATH`` runs ``python -m cnncourse.grader.zygote
      kernel``;
    - a sandboxed one, where the grader can use one (root, bubblewrap), for the sandboxed
      kernels of plain ``nbgrader autograde`` (``CNN_GRADER_ZYGOTE``); a classgrade batch
      starts its own.
    """
    from cnncourse.grader import sandbox, zygote

    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", zygote.__name__, "kernel", "-f", "{connection_file}"]
    spec_json = {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"}
    spec_json |= {"interrupt_mode": "message", "metadata": {"debugger": True}}
    (spec / "kernel.json").write_text(json.dumps(spec_json))
    masters = [grading.read(ROOT / "solutions" / n / f"{n}.ipynb") for n in LESSONS]
    preload = zygote.preload_of((master, master) for master in masters)
    plain = stack.enter_context(zygote.Zygote(folder / "plain", preload, plain=True))
    paths = [str(folder), os.environ.get("JUPYTER_PATH", "")]
    env = {
        zygote.PLAIN_VARIABLE: plain.path,
        "JUPYTER_PATH": os.pathsep.join(filter(None, paths)),
        SHARED: str(plain.process.pid),
    }
    if zygote.usable("auto"):
        sandboxed = stack.enter_context(zygote.Zygote(folder / "sandboxed", preload))
        env[sandbox.ZYGOTE_VARIABLE] = sandboxed.path
    return env


ZYGOTES = pytest.StashKey[contextlib.ExitStack]()


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, the controller starts the suite's zygotes once, for all its workers
    (they inherit the environment that points at them): each worker starting its own cost
    about 5 s of CPU per zygote."""
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    if os.environ.get(FORK, "1") == "0" or os.environ.get(SHARED):
        return
    stack = contextlib.ExitStack()
    folder = Path(tempfile.mkdtemp(prefix="cnncourse-zygotes-"))
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    patch = stack.enter_context(pytest.MonkeyPatch.context())
    try:
        for name, value in start_zygotes(folder, stack).items():
            patch.setenv(name, value)
    except BaseException:
        stack.close()
        raise
    config.stash[ZYGOTES] = stack


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(ZYGOTES, None)
    if stack is not None:
        stack.close()


@pytest.fixture(scope="session", autouse=True)
def forked_kernels(request, tmp_path_factory):
    """The suite's kernels are forked from zygotes (``cnncourse.grader.zygote``, see
    :func:`start_zygotes`): under pytest-xdist, the controller's (``pytest_configure``), else
    this session's own. nbval's kernels (``--nbval-current-env``) and JupyterLab's are started
    as a student's are. Set ``CNN_TEST_FORK=0`` to start every kernel as usual. Not started
    for a session without a ``slow`` test (``make test-unit``). Yields the plain zygote's pid
    (None when kernels are not forked)."""
    if os.environ.get(SHARED):
        yield int(os.environ[SHARED])
        return
    slow = any(item.get_closest_marker("slow") for item in request.session.items)
    if os.environ.get(FORK, "1") == "0" or not slow:
        yield None
        return
    with contextlib.ExitStack() as stack, pytest.MonkeyPatch.context() as patch:
        env = start_zygotes(tmp_path_factory.mktemp("forked-kernels"), stack)
        for name, value in env.items():
            patch.setenv(name, value)
        yield int(env[SHARED])


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (killed, not yet reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def toy_notebook(*cells: tuple[str, str]):
    """A small nbgrader notebook: ``cells`` are ``(kind, source)`` with kind ``"setup"``,
    ``"answer"`` or ``"test"`` (one point); their grade_ids are c0, c1, ..."""
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for index, (kind, source) in enumerate(cells):
        cell = new_code_cell(source)
        meta = {"grade_id": f"c{index}", "schema_version": 3, "grade": False, "solution": False}
        meta.update(
            {
                "answer": {"solution": True, "locked": False},
                "test": {"grade": True, "points": 1, "locked": True},
            }.get(kind, {"locked": True})
        )
        cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nb


def require_bubblewrap() -> None:
    """Skip without a working bubblewrap; fail instead in CI, which must grade with it."""
    from cnncourse.grader import sandbox

    why = sandbox.problem()
    if why and os.environ.get("CI"):
        pytest.fail(f"CI must grade with OS isolation: {why}")
    if why:
        pytest.skip(why)


def marked_lines(nb) -> tuple[set[str], set[str]]:
    """(inside, outside): the stripped lines of a master's cells between nbgrader's BEGIN/END
    markers (solutions and hidden tests), and the lines outside them (what students see)."""
    inside_lines: set[str] = set()
    outside_lines: set[str] = set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if MARKERS.search(line):
                inside = "BEGIN" in line
                continue
            (inside_lines if inside else outside_lines).add(line.strip())
    return inside_lines, outside_lines


def catalog(kind: str, lesson: str) -> list[dict]:
    """The raw entries of the catalog page ``tests/<kind>/<lesson>.md`` (``kind`` is
    ``"mistakes"`` or ``"alternatives"``; empty if the page does not exist yet), read by
    :mod:`catalogs`."""
    import catalogs

    return catalogs.read(Path(__file__).resolve().parent / kind / f"{lesson}.md")


def resolved(kind: str, lesson: str) -> list[dict]:
    """The catalog's entries, each with its whole answer cell in ``code`` (see
    ``harness.entry_code``: the base answer with its diff applied)."""
    from harness import entry_code

    nb = grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    entries = catalog("mistakes", lesson) + catalog("alternatives", lesson)
    result = []
    for entry in catalog(kind, lesson):
        code = entry_code(entry, nb, entries)
        result.append(
            {k: v for k, v in entry.items() if k not in ("base", "diff")} | {"code": code}
        )
    return result


def mistakes_for(lesson: str) -> list[dict]:
    """The mistakes catalog of one lesson, each entry's answer resolved into ``code``."""
    return resolved("mistakes", lesson)


def alternatives_for(lesson: str) -> list[dict]:
    """The correct-alternatives catalog of one lesson, resolved like :func:`mistakes_for`."""
    return resolved("alternatives", lesson)


def make_course(destination: Path, lessons: list[str]) -> Path:
    """A throwaway nbgrader course: this repo's config and masters, released afresh (nbgrader's
    generate_assignment in this process: no new Python importing nbgrader for each course;
    test_release checks that its output is what ``make release`` commits)."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    for lesson in lessons:
        shutil.copytree(
            ROOT / "solutions" / lesson,
            destination / "solutions" / lesson,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
        grading.nbgrader_in_process(destination, "generate_assignment", lesson)
    return destination


def inject(nb, cell_id: str, code: str):
    """Replace the answer cell ``cell_id`` of a notebook with ``code`` (in place)."""
    cells = grading.nbgrader_cells(nb, "solution")
    if cell_id not in cells:
        raise KeyError(f"No answer cell {cell_id!r}; the notebook has {sorted(cells)}")
    cells[cell_id].source = code.strip("\n")
    return nb


def catalog_params() -> list:
    """The lessons as parameters of the catalog tests: one xdist group per lesson, so that its
    mistakes and alternatives are judged on one worker, in one run (:func:`judged_catalogs`)."""
    group = pytest.mark.xdist_group
    return [pytest.param(lesson, marks=group(f"catalogs-{lesson}")) for lesson in LESSONS]


@pytest.fixture(scope="session")
def judged_catalogs(tmp_path_factory):
    """``judge(lesson)``: the master's verdicts and a ``harness.Judged`` per entry, as
    ``(master, {"alternatives": [...], "mistakes": [...]})``. Both catalogs of a lesson are
    judged in one ``harness.judge_variants`` run (one kernel, one run of the master, the
    alternatives first), once per worker."""
    from harness import judge_variants

    config = grading.course_config(ROOT)
    done: dict[str, tuple] = {}

    def judge(lesson: str) -> tuple:
        if lesson not in done:
            entries = {"alternatives": alternatives_for(lesson), "mistakes": mistakes_for(lesson)}
            variants = [(e["cell"], e["code"]) for kind in entries.values() for e in kind]
            master, judged = judge_variants(
                grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb"),
                variants,
                tmp_path_factory.mktemp(f"catalogs-{lesson}"),
                config,
            )
            split = len(entries["alternatives"])
            done[lesson] = (master, {"alternatives": judged[:split], "mistakes": judged[split:]})
        return done[lesson]

    return judge


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
