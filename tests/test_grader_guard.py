"""The in-kernel guard (``cnncourse.grader.guard``) as a unit: each script runs in a fresh
Python process with an IPython shell (no kernel), because installing the guard changes that
process for good (it adds an audit hook)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import ast, builtins, json, sys
import numpy as np
from IPython.core.interactiveshell import InteractiveShell
from cnncourse import checks
from cnncourse.grader import guard

shell = InteractiveShell.instance()
shell.user_ns.update(np=np, checks=checks)
key = guard.install(HELPERS)

def restore(challenge="c0", after=False):
    # The way GuardedExecute calls it: a user expression, evaluated by IPython.
    call = f"__import__('cnncourse.grader.guard', None, None, ['restore'])"
    call += f".restore({challenge!r}, after={after!r})"
    value = shell.user_expressions({"g": call})["g"]
    assert value["status"] == "ok", value
    return guard.check_answer(key, challenge, ast.literal_eval(value["data"]["text/plain"]))

def report(**values):
    print("REPORT " + json.dumps(values))
"""


def run(script: str, helpers: tuple[str, ...] = ()) -> dict:
    """Run PRELUDE + script in a new interpreter, the guard installed for the lesson helper
    modules ``helpers``; return what it passed to report()."""
    code = f"HELPERS = {list(helpers)!r}\n" + PRELUDE + textwrap.dedent(script)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :])


def test_a_clean_shell_has_nothing_to_restore():
    found = run("report(before=restore('a'), after=restore('b', after=True))")
    assert found == {"before": [], "after": []}


def test_patched_numpy_checks_and_builtins_are_restored_and_reported():
    found = run(
        """
        real_allclose, real_check = np.allclose, checks.check_equal
        np.allclose = lambda *a, **k: True
        checks.check_equal = lambda *a, **k: None
        checks._fail.__code__ = (lambda *a, **k: None).__code__
        builtins.AssertionError = Warning
        builtins.isinstance = lambda *a: True
        sys.modules["cnncourse.checks"] = object()
        problems = restore()
        report(problems=problems, again=restore("c1"),
               intact=[np.allclose is real_allclose, checks.check_equal is real_check,
                       builtins.AssertionError.__name__, isinstance(1, str),
                       sys.modules["cnncourse.checks"] is checks])
        """
    )
    text = " ".join(found["problems"])
    for expected in (
        "numpy.allclose was changed",
        "cnncourse.checks.check_equal was changed",
        "the code of cnncourse.checks._fail was changed",
        "builtins.AssertionError was changed",
        "builtins.isinstance was changed",
        "sys.modules['cnncourse.checks'] was replaced",
    ):
        assert expected in text
    assert found["again"] == []
    assert found["intact"] == [True, True, "AssertionError", False, True]


def test_ipython_hooks_are_restored_and_reported():
    found = run(
        """
        shell.input_transformers_cleanup.append(lambda lines: ["pass\\n"])
        shell.input_transformers_post.append(lambda lines: ["pass\\n"])
        shell.ast_transformers.append(ast.NodeTransformer())
        shell.set_custom_exc((BaseException,), lambda *a, **k: None)
        shell.showtraceback = lambda *a, **k: None
        type(shell).showsyntaxerror = lambda *a, **k: None
        for event in ("pre_execute", "pre_run_cell", "post_execute", "post_run_cell"):
            shell.events.register(event, (lambda *a: None))
        sys.settrace(lambda *a: None)
        sys.excepthook = sys.displayhook = print
        problems = restore()
        result = shell.run_cell("1 / 0")
        report(problems=problems, again=restore("c1"), raised=not result.success,
               lists=[len(shell.input_transformers_post), len(shell.ast_transformers)],
               custom=list(shell.custom_exceptions), trace=sys.gettrace() is None)
        """
    )
    text = " ".join(found["problems"])
    for expected in (
        "input_transformers_cleanup were changed",
        "input_transformers_post were changed",
        "ast_transformers were changed",
        "custom_exceptions was replaced",
        "method showtraceback was overridden",
        "showsyntaxerror was changed",
        "a pre_execute event callback",
        "a post_run_cell event callback",
        "sys.settrace or sys.setprofile was used",
        "sys.excepthook was replaced",
        "sys.displayhook was replaced",
    ):
        assert expected in text, expected
    assert found["again"] == [] and found["raised"]
    assert found["lists"] == [0, 0] and found["custom"] == [] and found["trace"]


def test_a_fake_guard_module_cannot_answer():
    found = run(
        """
        import types
        fake = types.ModuleType("cnncourse.grader.guard")
        fake.restore = lambda challenge, **k: json.dumps({"problems": [], "mac": "0" * 64})
        sys.modules["cnncourse.grader.guard"] = fake
        try:
            restore()
        except ValueError as error:
            report(refused=str(error))
        """
    )
    assert "not signed" in found["refused"]


def test_a_wrapper_around_the_guard_is_reported(tmp_path):
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(
        "def wrap(real):\n"
        "    def restore(*args, **kwargs):\n"
        "        return real(*args, **kwargs)\n"
        "    return restore\n"
    )
    found = run(
        f"""
        sys.path.insert(0, {str(tmp_path)!r})
        import wrapper
        guard.restore = wrapper.wrap(guard.restore)
        report(problems=restore())
        """
    )
    assert any("called through other code" in p for p in found["problems"])


def test_student_variables_that_shadow_test_names_come_back_after_the_test():
    found = run(
        """
        shell.user_ns["list"] = [1, 2]
        shell.user_ns["np"] = "not numpy"
        before = restore()
        during = [shell.user_ns.get("list"), shell.user_ns["np"] is np]
        restore("c1", after=True)
        report(before=before, during=during, after=shell.user_ns["list"])
        """
    )
    assert found["before"] == ["the name 'np' was rebound"]
    assert found["during"] == [None, True] and found["after"] == [1, 2]


def test_a_lesson_helper_rebound_by_the_student_is_put_back_for_the_tests():
    """A student who binds ``l09`` to a stand-in whose checks pass everything gets the real
    helper in the test cells, and the guard reports it; the stand-in comes back after."""
    found = run(
        """
        import types
        from cnncourse.lessons import l09
        shell.user_ns["l09"] = types.SimpleNamespace(check_objects=lambda *a, **k: None)
        before = restore()
        during = shell.user_ns["l09"] is l09
        restore("c1", after=True)
        shell.user_ns["l01"] = 1  # not a helper of this notebook: the student's own name
        report(before=before, during=during, after=type(shell.user_ns["l09"]).__name__,
               unrelated=restore("c2"), kept=shell.user_ns["l01"])
        """,
        helpers=("cnncourse.lessons.l09",),
    )
    assert found["before"] == ["the name 'l09' was rebound"]
    assert found["during"] is True and found["after"] == "SimpleNamespace"
    assert found["unrelated"] == ["the name 'l09' was rebound"]  # still there: reported again
    assert found["kept"] == 1  # l01 is no helper of this notebook: left alone, not reported


def test_audit_hooks_are_refused_and_reported():
    found = run(
        """
        sys.addaudithook(lambda *a: None)
        report(problems=restore())
        """
    )
    assert "an audit hook was added (refused)" in found["problems"]


FRAME_READER = """
import sys, traceback

def sneaky(route):
    try:
        if route == "getframe":
            return sorted(sys._getframe(1).f_locals)
        if route == "inspect":
            import inspect
            return sorted(inspect.currentframe().f_back.f_locals)
        if route == "traceback":
            try:
                raise KeyError
            except KeyError as error:
                return sorted(error.__traceback__.tb_frame.f_back.f_locals)
        if route == "format_exc":
            try:
                raise KeyError("shown")
            except KeyError:
                return traceback.format_exc().splitlines()[-1]
    except RuntimeError as refused:
        return f"refused: {refused}"
"""


def test_student_code_gets_no_frame_while_a_test_runs():
    found = run(
        f"""
        shell.run_cell({FRAME_READER!r})
        outside = shell.user_ns["sneaky"]("getframe")
        restore()
        shell.run_cell("expected = 42\\nresults = [sneaky(r) for r in "
                       "('getframe', 'inspect', 'traceback', 'format_exc')]")
        during = shell.user_ns["results"]
        report(outside=outside, during=during, after=restore("c1", after=True))
        """
    )
    assert "expected" not in repr(found["during"][:3]), found
    assert all(r.startswith("refused") for r in found["during"][:3]), found
    assert found["during"][3] == "KeyError: 'shown'"  # a formatted traceback is fine
    assert len(found["after"]) == 3 and all("frames were read" in p for p in found["after"])
    assert "restore" in found["outside"]  # outside a test the caller's frame is readable


def test_library_code_still_reads_frames_while_a_test_runs():
    found = run(
        """
        import logging, warnings
        restore()
        shell.run_cell("import logging\\nlogging.getLogger('x').warning('from a test')")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            shell.run_cell("import numpy as np\\nnp.row_stack([[1], [2]])")
        report(after=restore("c1", after=True), warned=len(caught))
        """
    )
    assert found == {"after": [], "warned": 1}


def test_check_answer_rejects_a_forged_answer():
    from cnncourse.grader import guard

    with pytest.raises(ValueError, match="not signed"):
        guard.check_answer("k" * 64, "c", json.dumps({"problems": [], "mac": "0" * 64}))
