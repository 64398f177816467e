"""End to end: lesson-03 submissions that bend the kernel score zero and are flagged, under
classgrade and under plain ``nbgrader autograde`` with the repository's ``nbgrader_config.py``.

Each attack submission is the lesson-03 release with its first answer cell replaced by one
attack and the other answers left blank; without the guard, attacks (a)-(d) would earn the
full 14 points (every test cell passes or hides its error). The master's solution and the
blank release are graded alongside (full marks, zero, neither flagged). To keep the cost
down, the submissions drop the demonstration cells that import TensorFlow or draw figures
(they earn nothing), and each way of grading runs once for all.
"""

from __future__ import annotations

import copy
import re
import shutil
import textwrap

import nbformat
import pytest

from cnncourse import grading
from cnncourse.grader import batch
from cnncourse.grader.result import Flag, Status

from conftest import ROOT, make_course

# One worker runs the whole module, so that each way of grading runs once (module fixtures).
pytestmark = pytest.mark.xdist_group("integrity")

LESSON = "03-conv2d"
FIRST_ANSWER = "conv2d_valid"
TIMEOUT = 60

ATTACKS = {
    "a_input_transformer": (
        'get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])',
        "input_transformers_cleanup",
    ),
    "b_ast_transformer": (
        """
        import ast

        class _Swallow(ast.NodeTransformer):
            def visit_Module(self, node):
                handler = ast.ExceptHandler(
                    type=ast.Name("BaseException", ast.Load()), name=None, body=[ast.Pass()]
                )
                body = node.body or [ast.Pass()]
                node.body = [ast.Try(body=body, handlers=[handler], orelse=[], finalbody=[])]
                return ast.fix_missing_locations(node)

        get_ipython().ast_transformers.append(_Swallow())
        """,
        "ast_transformers",
    ),
    "c_custom_exc": (
        "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)",
        "custom_exceptions",
    ),
    "d_showtraceback": (
        """
        _ip = get_ipython()
        _ip.showtraceback = lambda *args, **kwargs: None
        _ip._showtraceback = lambda *args, **kwargs: None
        """,
        "showtraceback",
    ),
    "e_post_run_cell": (
        """
        def _forget(result):
            result.error_in_exec = None

        get_ipython().events.register("post_run_cell", _forget)
        """,
        "post_run_cell event callback",
    ),
    "f_assertion_error": (
        "import builtins\nbuiltins.AssertionError = Warning",
        "builtins.AssertionError",
    ),
    "g_numpy_comparisons": (
        """
        np.allclose = lambda *args, **kwargs: True
        np.array_equal = lambda *args, **kwargs: True
        np.isclose = lambda a, b, **kwargs: np.ones(np.shape(a), dtype=bool)
        np.testing.assert_allclose = lambda *args, **kwargs: None
        """,
        "numpy.allclose",
    ),
    "h_checks_module": (
        """
        import sys, types
        import cnncourse
        _fake = types.ModuleType("cnncourse.checks")
        _fake.__getattr__ = lambda name: (lambda *args, **kwargs: None)
        sys.modules["cnncourse.checks"] = cnncourse.checks = checks = _fake
        """,
        "cnncourse.checks",
    ),
}


def submissions() -> dict[str, nbformat.NotebookNode]:
    """Student name -> notebook: the attacks, the master's solution, the blank release."""
    master = grading.read(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb")
    release = grading.read(ROOT / "course" / LESSON / f"{LESSON}.ipynb")
    heavy = ("tensorflow", "tf.", "plotting.", "plt.")
    release.cells = [
        c
        for c in release.cells
        if c.metadata.get("nbgrader") or not any(word in c.source for word in heavy)
    ]
    subs = {"blank": release}
    good = copy.deepcopy(release)
    solutions = grading.nbgrader_cells(master, "solution")
    marker = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
    for grade_id, cell in grading.nbgrader_cells(good, "solution").items():
        cell.source = marker.sub("", solutions[grade_id].source)
    subs["good"] = good
    for name, (code, _) in ATTACKS.items():
        nb = copy.deepcopy(release)
        grading.nbgrader_cells(nb, "solution")[FIRST_ANSWER].source = textwrap.dedent(code)
        subs[name] = nb
    return subs


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """The submissions in nbgrader's layout (read only)."""
    folder = tmp_path_factory.mktemp("integrity") / "submitted"
    for student, nb in submissions().items():
        (folder / student / LESSON).mkdir(parents=True)
        nbformat.write(nb, str(folder / student / LESSON / f"{LESSON}.ipynb"))
    return folder


@pytest.fixture(scope="module")
def classgraded(inbox, tmp_path_factory):
    """Every submission graded once by classgrade (two jobs at a time)."""
    output = tmp_path_factory.mktemp("integrity-out")
    results = batch.grade_class(
        inbox, output, ROOT, [LESSON], jobs=2, timeout=TIMEOUT, memory_mb=4000, progress=False
    )
    return {r.student: r for r in results}


@pytest.fixture(scope="module")
def nbgraded(inbox, tmp_path_factory):
    """Every submission graded once by plain ``nbgrader autograde`` in a course that uses the
    repository's nbgrader_config.py: ``(scores, autograded notebooks)`` by student."""
    course = make_course(tmp_path_factory.mktemp("integrity-course"), [LESSON])
    shutil.copytree(inbox, course / "submitted")
    grading.autograde(course, LESSON)
    scores = grading.scores(course, LESSON)
    notebooks = {
        student: grading.read(course / "autograded" / student / LESSON / f"{LESSON}.ipynb")
        for student in scores
    }
    return scores, notebooks


def guard_errors(nb: nbformat.NotebookNode) -> str:
    """The text of the GraderGuardError outputs of a notebook."""
    return " ".join(
        o.get("evalue", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("ename") == "GraderGuardError"
    )


def test_classgrade_gives_the_master_full_marks_and_the_blank_zero(classgraded):
    good, blank = classgraded["good"], classgraded["blank"]
    assert (good.status, good.total, good.max, good.flags) == (Status.OK, 14, 14, []), good
    assert (blank.status, blank.total, blank.flags) == (Status.OK, 0, []), blank


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_classgrade_scores_an_attack_zero_and_flags_it(classgraded, attack):
    result = classgraded[attack]
    assert result.status == Status.OK, result.messages
    assert result.total == 0 and Flag.TAMPERED in result.flags, result
    assert ATTACKS[attack][1] in " ".join(result.messages)


def test_nbgrader_autograde_gives_the_master_full_marks_and_the_blank_zero(nbgraded):
    scores, notebooks = nbgraded
    assert sum(scores["good"].values()) == 14 and not guard_errors(notebooks["good"])
    assert sum(scores["blank"].values()) == 0 and not guard_errors(notebooks["blank"])


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_nbgrader_autograde_scores_an_attack_zero_and_marks_it(nbgraded, attack):
    scores, notebooks = nbgraded
    assert sum(scores[attack].values()) == 0, scores[attack]
    assert ATTACKS[attack][1] in guard_errors(notebooks[attack])
