"""The job pool (``cnncourse.grader.runner.run_all``) and the warm start's import list, as
units: fake jobs, no process or kernel."""

from __future__ import annotations

import threading
import time

import nbformat
import pytest

from cnncourse.grader import runner, warm
from cnncourse.grader.result import Result


class FakeJob:
    """Records when it was made (prepared), ran its notebook and finished (its feedback)."""

    log: list[str] = []
    lock = threading.Lock()

    def __init__(
        self, name: str, fail: bool = False, seconds: float = 0.0, feedback: float = 0.0
    ) -> None:
        self.name, self.fail, self.seconds, self.feedback = name, fail, seconds, feedback
        with self.lock:
            self.log.append(f"made {name}")

    def run_until_scored(self) -> None:
        with self.lock:
            self.log.append(f"ran {self.name}")
        time.sleep(self.seconds)
        if self.fail:
            raise OSError(f"{self.name} broke")

    def finish(self) -> Result:
        time.sleep(self.feedback)
        with self.lock:
            self.log.append(f"finished {self.name}")
        return Result(self.name, "00-x", "")

    def kill(self) -> None:
        with self.lock:
            self.log.append(f"killed {self.name}")


def failed(key, error):
    result = Result(key, "00-x", "")
    result.messages.append(str(error))
    return result


def test_the_next_job_is_prepared_while_one_runs_serially():
    FakeJob.log = []
    tasks = [(n, lambda n=n: FakeJob(n)) for n in "abc"]
    results = dict(runner.run_all(tasks, workers=1, failed=failed))
    assert sorted(results) == ["a", "b", "c"]
    # b is made (starts preparing) before a runs; c before b runs
    assert FakeJob.log.index("made b") < FakeJob.log.index("ran a")
    assert FakeJob.log.index("made c") < FakeJob.log.index("ran b")


def test_the_next_job_runs_while_one_writes_its_feedback():
    FakeJob.log = []
    tasks = [(n, lambda n=n: FakeJob(n, feedback=0.3)) for n in "ab"]
    results = dict(runner.run_all(tasks, workers=1, failed=failed))
    assert sorted(results) == ["a", "b"]
    assert FakeJob.log.index("ran b") < FakeJob.log.index("finished a"), FakeJob.log


def test_a_job_that_fails_to_start_or_run_still_gets_its_row():
    def broken():
        raise RuntimeError("could not start")

    tasks = [("a", broken), ("b", lambda: FakeJob("b", fail=True)), ("c", lambda: FakeJob("c"))]
    results = dict(runner.run_all(tasks, workers=2, failed=failed))
    assert results["a"].messages == ["could not start"]
    assert results["b"].messages == ["b broke"]
    assert results["c"].messages == []


def test_nothing_is_made_ahead_when_ahead_is_zero():
    FakeJob.log = []
    tasks = [(n, lambda n=n: FakeJob(n)) for n in "ab"]
    list(runner.run_all(tasks, workers=1, failed=failed, ahead=0))
    started = [line for line in FakeJob.log if not line.startswith("finished")]
    assert started == ["made a", "ran a", "made b", "ran b"]


def test_prepared_jobs_are_killed_when_the_caller_stops_early():
    FakeJob.log = []
    tasks = [(n, lambda n=n: FakeJob(n, seconds=0.0 if n == "a" else 0.3)) for n in "abcd"]
    finished = runner.run_all(tasks, workers=1, failed=failed)
    assert next(finished)[0] == "a"
    finished.close()  # b or c is prepared, maybe b runs: nothing more starts
    killed = [line for line in FakeJob.log if line.startswith("killed")]
    assert killed and "made d" not in FakeJob.log and "ran c" not in FakeJob.log, FakeJob.log


def test_lesson_imports_skip_answer_cells_and_magics():
    cells = [
        nbformat.v4.new_code_cell("from cnncourse import config\nimport numpy as np"),
        nbformat.v4.new_code_cell(
            "import secret_answer_lib", metadata={"nbgrader": {"solution": True}}
        ),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport keras"),
        nbformat.v4.new_code_cell("def f(:\n  pass"),
        nbformat.v4.new_code_cell("import numpy\nfrom cnncourse.lessons import l03"),
    ]
    names = warm.lesson_imports(nbformat.v4.new_notebook(cells=cells))
    assert names == [
        "cnncourse", "cnncourse.config", "numpy", "keras", "cnncourse.lessons",
        "cnncourse.lessons.l03",
    ]  # fmt: skip


def test_shared_imports_are_the_lessons_that_the_submission_imports_too():
    def notebook(*sources):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])

    master = notebook("import numpy as np\nimport tensorflow as tf", "from cnncourse import checks")
    # The student dropped the TensorFlow cell and added an import the lesson never makes.
    submission = notebook("from cnncourse import checks\nimport numpy", "import evil_module")
    names = warm.shared_imports(master, submission)
    assert names == ["numpy", "cnncourse", "cnncourse.checks"]


@pytest.mark.parametrize("names", [["json", "no_such_module_here", "json.decoder"]])
def test_preload_imports_what_it_can_and_skips_the_rest(names):
    assert int(warm.preload(names)) > 0


def test_preload_maps_the_loaded_modules_for_tracebacks():
    import inspect
    import json.decoder

    warm.preload(["json.decoder"])
    # A forked kernel inherits the map: its first traceback does not build it.
    assert inspect.modulesbyfile.get(inspect.getabsfile(json.decoder)) == "json.decoder"
