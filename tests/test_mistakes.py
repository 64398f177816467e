"""Each graded exercise fails on plausible wrong code, the feedback names the mistake, and a
mistake costs points only in its own exercise (no cascades).

The catalog lives in tests/mistakes/<lesson>.md (see README.md there; entries are a whole cell
or a base answer and a diff, resolved by ``harness.entry_code``). Each mistake
replaces its answer cell in the lesson's master notebook; the cells from there to the end of the
notebook that can see it run in a kernel set up as ``nbgrader autograde`` sets it up (the
course's nbgrader configuration, ``NBGRADER_EXECUTION``), and nbgrader's own rules score every
graded test cell after the answer cell. All of a lesson's mistakes share one kernel and one test
(see ``harness.judge_variants``; the lesson's alternatives are judged in the same run, the
``judged_catalogs`` fixture), which lists every mistake that is not caught and every test
cell of another exercise that a mistake costs points; real ``nbgrader autograde`` runs for one
mistake per lesson in test_grading.py.
"""

from __future__ import annotations

import pytest

from cnncourse import grading

import harness
from conftest import LESSONS, ROOT, catalog, catalog_params, mistakes_for


def _master(lesson):
    return grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_at_least_two_mistakes(lesson):
    nb = _master(lesson)
    answers = set(grading.nbgrader_cells(nb, "solution"))
    counts = dict.fromkeys(answers, 0)
    names = [
        (m["cell"], m["name"])
        for m in catalog("mistakes", lesson) + catalog("alternatives", lesson)
    ]
    assert len(names) == len(set(names)), f"{lesson}: an answer cell has two entries of one name"
    for mistake in mistakes_for(lesson):  # resolves every entry, or fails naming it
        assert mistake["cell"] in answers, f"{mistake['name']}: no answer cell {mistake['cell']}"
        own = harness.own_tests(nb, mistake["cell"])
        assert set(mistake["loses"]) <= set(own), (
            f"{mistake['name']}: loses {mistake['loses']}, but its exercise's tests are {own}"
        )
        assert mistake["loses"] and mistake["feedback"], f"{mistake['name']}: incomplete entry"
        counts[mistake["cell"]] += 1
    thin = {cell: n for cell, n in counts.items() if n < 2}
    assert not thin, f"{lesson}: answer cells with fewer than two catalogued mistakes: {thin}"


@pytest.mark.parametrize("lesson", catalog_params())
def test_every_mistake_loses_its_points_only_in_its_exercise_and_feedback_names_it(
    lesson, judged_catalogs
):
    nb = _master(lesson)
    mistakes = mistakes_for(lesson)
    assert mistakes, f"tests/mistakes/{lesson}.md is missing or empty"
    master, judged = judged_catalogs(lesson)
    judged = judged["mistakes"]
    problems = [
        f"The master itself earns {points}/{maximum} in {grade_id}:\n{feedback[-1500:]}"
        for grade_id, (points, maximum, feedback) in master.items()
        if points < maximum
    ]
    for mistake, (verdicts, _, _) in zip(mistakes, judged):
        own = harness.own_tests(nb, mistake["cell"])
        for grade_id in mistake["loses"]:
            points, max_points, _ = verdicts[grade_id]
            if points >= max_points:
                problems.append(
                    f"{mistake['name']!r} still earns {points}/{max_points} in {grade_id}: "
                    "the tests do not catch it"
                )
        feedback = "\n".join(verdicts[grade_id][2] for grade_id in mistake["loses"])
        if mistake["feedback"].lower() not in feedback.lower():
            problems.append(
                f"The feedback for {mistake['name']!r} does not say {mistake['feedback']!r}. "
                f"It says:\n{feedback[-1500:]}"
            )
        for grade_id, (points, max_points, text) in verdicts.items():
            if grade_id not in own and points < max_points:
                problems.append(
                    f"CASCADE: {mistake['name']!r} (answer cell {mistake['cell']}) costs points "
                    f"in {grade_id}, a test of another exercise ({points}/{max_points}):\n"
                    f"{text.strip().splitlines()[0] if text.strip() else 'no message'}"
                )
    assert not problems, f"{len(problems)} problem(s) in {lesson}:\n" + "\n\n".join(problems)
