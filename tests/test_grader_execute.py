"""The job's nbgrader configuration and the executor's seams (no kernel started here)."""

from __future__ import annotations

import logging
import types

import pytest

from cnncourse.grader import execute, job

from conftest import ROOT


def test_job_config_is_the_course_config_with_the_guarded_executor(tmp_path):
    config = job.job_config(ROOT / "nbgrader_config.py", tmp_path, timeout=42, isolation="none")
    first, *rest = config.Autograde.autograde_preprocessors
    assert first is execute.GuardedExecute
    assert "nbgrader.preprocessors.SaveAutoGrades" in rest
    assert config.GuardedExecute.kernel_cwd == str(tmp_path)
    assert (config.GuardedExecute.timeout, config.GuardedExecute.isolation) == (42, "none")
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.IgnorePattern.enabled  # the course's own settings are kept


def test_plain_execute_is_replaced_wherever_the_course_lists_it():
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    extra = "some.module.AfterExecute"
    listed = job.guarded_preprocessors([Execute, extra, SaveAutoGrades])
    assert listed == [execute.GuardedExecute, extra, SaveAutoGrades]
    named = job.guarded_preprocessors(["nbgrader.preprocessors.Execute"])
    assert named == [execute.GuardedExecute]
    default = job.guarded_preprocessors(None)
    assert default[0] is execute.GuardedExecute and Execute not in default


def test_isolation_required_on_a_machine_without_bubblewrap_fails_clearly(monkeypatch, caplog):
    from cnncourse.grader import sandbox

    monkeypatch.setattr(sandbox, "problem", lambda: "bubblewrap is not installed")
    with pytest.raises(sandbox.SandboxUnavailable, match="required, but the kernel cannot be sa"):
        execute.make_kernel_manager(None, "required")
    executor = types.SimpleNamespace(log=logging.getLogger("grader-test"))
    with caplog.at_level(logging.WARNING, logger="grader-test"):
        assert execute.make_kernel_manager(executor, "auto") == (None, "none")
    assert "no OS isolation: bubblewrap is not installed" in caplog.text
    assert execute.make_kernel_manager(None, "none") == (None, "none")


def test_lesson_helpers_are_found_in_locked_and_test_cells():
    import nbformat

    source = "from cnncourse.lessons import l03\nimport cnncourse.lessons.l09"
    cells = [
        nbformat.v4.new_code_cell(source),
        nbformat.v4.new_code_cell("from cnncourse.lessons import l05"),  # a student's cell
    ]
    cells[0].metadata["nbgrader"] = dict(grade=True, locked=True, grade_id="t")
    helpers = execute.lesson_helpers(nbformat.v4.new_notebook(cells=cells))
    assert helpers == ["cnncourse.lessons.l03", "cnncourse.lessons.l09"]


def _executor(root, **traits):
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.release_directory = "course"
    return execute.GuardedExecute(config=config, **traits)


def test_the_executor_skips_what_prune_skips_against_the_released_notebook(tmp_path):
    import nbformat

    cells = [nbformat.v4.new_code_cell(s) for s in ("import math", "x = 1", "print(x)")]
    cells[1].metadata["nbgrader"] = dict(grade=True, grade_id="t", points=1, locked=True)
    release = nbformat.v4.new_notebook(cells=cells)
    (tmp_path / "course" / "ps1").mkdir(parents=True)
    nbformat.write(release, str(tmp_path / "course" / "ps1" / "lesson.ipynb"))
    resources = {"nbgrader": {"assignment": "ps1", "notebook": "lesson"}}
    executor = _executor(tmp_path)
    assert executor._display_only(release, *executor._release(resources)) == {2}


def test_without_a_released_notebook_every_cell_runs(tmp_path, caplog):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    resources = {"nbgrader": {"assignment": "ps1", "notebook": "lesson"}}
    executor = _executor(tmp_path)
    executor.log = logging.getLogger("grader-test")
    with caplog.at_level(logging.WARNING, logger="grader-test"):
        assert executor._display_only(nb, *executor._release(resources)) == set()
    assert "every cell runs: no released notebook" in caplog.text
    assert executor._display_only(nb, *executor._release({})) == set()


def test_the_course_config_can_turn_skipping_off(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    assert execute.GuardedExecute().graded_path_only, "skipping is the default"
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.GuardedExecute.graded_path_only = False\n"
    )
    config = job.job_config(tmp_path / "nbgrader_config.py", tmp_path)
    assert not execute.GuardedExecute(config=config).graded_path_only
    course = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert course.GuardedExecute.graded_path_only is True


def test_a_lessons_release_is_made_once_per_batch_and_copied_by_its_other_jobs(
    tmp_path, monkeypatch
):
    made = []

    def generate(config, root, command, lesson, student=""):
        assert command == "generate_assignment"
        made.append(root)
        (root / "course" / lesson).mkdir(parents=True)
        (root / "course" / lesson / f"{lesson}.ipynb").write_text(f"release from {root.name}")
        (root / "gradebook.db").write_text("gradebook")

    monkeypatch.setattr(job, "run_nbgrader", generate)
    shared = tmp_path / "shared"
    shared.mkdir()
    roots = [tmp_path / name for name in ("first", "second", "alone")]
    for root in roots:
        root.mkdir()
    assert job.make_release(None, roots[0], "l01", str(shared)) == "generate_assignment"
    assert job.make_release(None, roots[1], "l01", str(shared)) == "release_copied"
    assert (roots[1] / "course" / "l01" / "l01.ipynb").read_text() == "release from first"
    assert (roots[1] / "gradebook.db").read_text() == "gradebook"
    assert job.make_release(None, roots[2], "l01") == "generate_assignment"  # no shared folder
    assert made == [roots[0], roots[2]]
    assert [p.name for p in shared.iterdir()] == ["l01"], "no staging folder is left behind"


def test_a_job_that_made_a_release_another_job_shared_first_keeps_its_own(tmp_path, monkeypatch):
    def generate(config, root, command, lesson, student=""):
        (root / "course" / lesson).mkdir(parents=True)
        (root / "gradebook.db").write_text(root.name)
        (shared / lesson / "course").mkdir(parents=True)  # another job won meanwhile
        (shared / lesson / "gradebook.db").write_text("winner")

    monkeypatch.setattr(job, "run_nbgrader", generate)
    shared = tmp_path / "shared"
    shared.mkdir()
    (tmp_path / "late").mkdir()
    assert job.make_release(None, tmp_path / "late", "l01", str(shared)) == "generate_assignment"
    assert (tmp_path / "late" / "gradebook.db").read_text() == "late"
    assert (shared / "l01" / "gradebook.db").read_text() == "winner"
    assert [p.name for p in shared.iterdir()] == ["l01"], "the loser's staging folder is removed"


def test_a_batch_job_never_starts_a_zygote_of_its_own(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    course = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert execute.GuardedExecute(config=course).fork_kernels, "plain nbgrader forks its kernels"
    config = job.job_config(ROOT / "nbgrader_config.py", tmp_path)
    assert not execute.GuardedExecute(config=config).fork_kernels


class _Started:
    """Stands for the zygote own_zygote started (its socket: ``path``)."""

    def __init__(self, path):
        self.path = str(path)


@pytest.mark.parametrize("failed", [False, True])
def test_plain_nbgrader_forks_from_its_zygote_or_else_starts_kernels_in_bubblewrap(
    tmp_path, monkeypatch, caplog, failed
):
    from cnncourse.grader import zygote

    socket = tmp_path / zygote.SOCKET
    if failed:
        (tmp_path / zygote.FAILED).write_text("OSError: open_tree is not supported")
    else:
        socket.write_text("")  # the zygote is ready once its socket exists
    monkeypatch.setattr(execute, "ZYGOTES", [_Started(socket)])
    monkeypatch.setattr(zygote, "usable", lambda isolation: True)
    monkeypatch.delenv("CNN_GRADER_ZYGOTE", raising=False)
    executor = _executor(tmp_path)
    executor.log = logging.getLogger("grader-test")
    with caplog.at_level(logging.WARNING, logger="grader-test"):
        executor._use_zygote(None)
    chosen = executor.config.SandboxedKernelManager.get("zygote", "")
    if failed:
        assert chosen == "" and "open_tree is not supported" in caplog.text
    else:
        assert chosen == str(socket)
