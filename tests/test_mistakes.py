"""Each graded exercise fails on plausible wrong code, and the feedback names the mistake.

The catalog lives in tests/mistakes/<lesson>.py. Each mistake is injected into the lesson's
master notebook and executed with nbgrader's own Execute and IgnorePattern preprocessors and
the course's nbgrader configuration, then judged with nbgrader's own grading rule. (Real
``nbgrader autograde`` runs for one mistake per lesson in test_grading.py.)
"""

from __future__ import annotations

import copy

import pytest

from cnncourse import grading

from conftest import LESSONS, ROOT, inject, mistakes_for

CASES = [
    pytest.param(lesson, mistake, id=f"{lesson}:{mistake['cell']}:{mistake['name']}")
    for lesson in LESSONS
    for mistake in mistakes_for(lesson)
]
CONFIG = grading.course_config(ROOT)


def _master(lesson):
    return grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_at_least_two_mistakes(lesson):
    answers = set(grading.nbgrader_cells(_master(lesson), "solution"))
    tests = set(grading.nbgrader_cells(_master(lesson), "test"))
    counts = {cell: 0 for cell in answers}
    for mistake in mistakes_for(lesson):
        assert mistake["cell"] in answers, f"{mistake['name']}: no answer cell {mistake['cell']}"
        assert set(mistake["loses"]) <= tests, f"{mistake['name']}: unknown test cells"
        assert mistake["loses"] and mistake["feedback"], f"{mistake['name']}: incomplete entry"
        counts[mistake["cell"]] += 1
    thin = {cell: n for cell, n in counts.items() if n < 2}
    assert not thin, f"{lesson}: answer cells with fewer than two catalogued mistakes: {thin}"


@pytest.mark.parametrize(("lesson", "mistake"), CASES)
def test_mistake_loses_its_points_and_feedback_names_it(lesson, mistake, tmp_path):
    nb = inject(copy.deepcopy(_master(lesson)), mistake["cell"], mistake["code"])
    # Cells after the last test this mistake is judged by cannot change its verdict.
    test_ids = {
        cell.metadata.nbgrader["grade_id"]: i
        for i, cell in enumerate(nb.cells)
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    }
    last = max(test_ids[grade_id] for grade_id in mistake["loses"])
    nb.cells = nb.cells[: last + 1]
    workdir = tmp_path / lesson
    workdir.mkdir()
    executed = grading.execute_as_autograder(nb, workdir, CONFIG)
    verdicts = grading.judge(executed)
    for grade_id in mistake["loses"]:
        points, max_points, _ = verdicts[grade_id]
        assert points < max_points, (
            f"{mistake['name']!r} still earns {points}/{max_points} in {grade_id}: "
            "the tests do not catch it"
        )
    feedback = "\n".join(verdicts[grade_id][2] for grade_id in mistake["loses"])
    assert mistake["feedback"].lower() in feedback.lower(), (
        f"The feedback for {mistake['name']!r} does not say {mistake['feedback']!r}. "
        f"It says:\n{feedback[-2000:]}"
    )
