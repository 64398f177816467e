"""Each graded exercise fails on plausible wrong code, and the feedback names the mistake.

The catalog lives in tests/mistakes/<lesson>.py. Each mistake replaces its answer cell in the
lesson's master notebook; the cells from there to the tests that judge it run in a kernel set
up as ``nbgrader autograde`` sets it up (the course's nbgrader configuration,
``NBGRADER_EXECUTION``), and nbgrader's own rules score the test cells. All of a lesson's
mistakes share one kernel and one test (see ``grading.judge_variants``), which lists every
mistake that is not caught; real ``nbgrader autograde`` runs for one mistake per lesson in
test_grading.py.
"""

from __future__ import annotations

import pytest

from cnncourse import grading

from conftest import LESSONS, ROOT, mistakes_for

CONFIG = grading.course_config(ROOT)


def _master(lesson):
    return grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_at_least_two_mistakes(lesson):
    answers = set(grading.nbgrader_cells(_master(lesson), "solution"))
    tests = set(grading.nbgrader_cells(_master(lesson), "test"))
    counts = dict.fromkeys(answers, 0)
    for mistake in mistakes_for(lesson):
        assert mistake["cell"] in answers, f"{mistake['name']}: no answer cell {mistake['cell']}"
        assert set(mistake["loses"]) <= tests, f"{mistake['name']}: unknown test cells"
        assert mistake["loses"] and mistake["feedback"], f"{mistake['name']}: incomplete entry"
        counts[mistake["cell"]] += 1
    thin = {cell: n for cell, n in counts.items() if n < 2}
    assert not thin, f"{lesson}: answer cells with fewer than two catalogued mistakes: {thin}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_mistake_loses_its_points_and_feedback_names_it(lesson, tmp_path):
    mistakes = mistakes_for(lesson)
    assert mistakes, f"tests/mistakes/{lesson}.py is missing or empty"
    variants = [(m["cell"], m["code"].strip("\n"), m["loses"]) for m in mistakes]
    verdicts = grading.judge_variants(_master(lesson), variants, tmp_path, CONFIG)
    problems = []
    for mistake, verdict in zip(mistakes, verdicts):
        for grade_id in mistake["loses"]:
            points, max_points, _ = verdict[grade_id]
            if points >= max_points:
                problems.append(
                    f"{mistake['name']!r} still earns {points}/{max_points} in {grade_id}: "
                    "the tests do not catch it"
                )
        feedback = "\n".join(verdict[grade_id][2] for grade_id in mistake["loses"])
        if mistake["feedback"].lower() not in feedback.lower():
            problems.append(
                f"The feedback for {mistake['name']!r} does not say {mistake['feedback']!r}. "
                f"It says:\n{feedback[-1500:]}"
            )
    assert not problems, f"{len(problems)} problem(s) in {lesson}:\n" + "\n\n".join(problems)
