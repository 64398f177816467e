"""Correct answers built differently from the master keep every point.

The catalog lives in tests/alternatives/<lesson>.md: for every answer cell at least two correct
implementations that differ from the master (loops or vectorised, a library route the
instructions allow, NumPy scalars, tuples, other error wording, answers that warn). Each is
judged like the mistakes, in the same run (tests/test_mistakes.py, one kernel per lesson):
every graded test cell from its answer cell to the end of the notebook must keep its full
points. An entry's ``emits``
is text its cells must print (a warning shows in the output, as stdout, and costs nothing).
"""

from __future__ import annotations

import pytest

from cnncourse import grading

import harness
from conftest import LESSONS, ROOT, alternatives_for, catalog_params


def _master(lesson):
    return grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_at_least_two_alternatives(lesson):
    answers = set(grading.nbgrader_cells(_master(lesson), "solution"))
    counts = dict.fromkeys(answers, 0)
    for alternative in alternatives_for(lesson):  # resolves every entry, or fails naming it
        assert alternative["cell"] in answers, f"{alternative['name']}: no answer cell"
        counts[alternative["cell"]] += 1
        master = harness.master_answer(_master(lesson), alternative["cell"])
        assert alternative["code"].strip() != master.strip(), (
            f"{alternative['name']}: the same answer as the master"
        )
    thin = {cell: n for cell, n in counts.items() if n < 2}
    assert not thin, f"{lesson}: answer cells with fewer than two correct alternatives: {thin}"


def test_the_alternatives_include_warnings_and_stderr_output():
    emitted = [
        (e["emits"], e["code"])
        for lesson in LESSONS
        for e in alternatives_for(lesson)
        if e.get("emits")
    ]
    for kind in ("RuntimeWarning", "DeprecationWarning", "UserWarning"):
        assert any(kind in emits for emits, _ in emitted), f"no alternative emits a {kind}"
    assert any("sys.stderr" in code for _, code in emitted), "no alternative prints to stderr"


@pytest.mark.parametrize("lesson", catalog_params())
def test_every_alternative_keeps_every_point(lesson, judged_catalogs):
    alternatives = alternatives_for(lesson)
    if not alternatives:
        pytest.fail(f"tests/alternatives/{lesson}.md is missing or empty")
    judged = judged_catalogs(lesson)[1]["alternatives"]
    problems = []
    for alternative, (verdicts, output, answer_error) in zip(alternatives, judged):
        if answer_error:
            problems.append(
                f"{alternative['name']!r}: its answer cell {alternative['cell']} raised "
                f"{answer_error}; an alternative is a correct answer, whose cell runs cleanly"
            )
        for grade_id, (points, max_points, feedback) in verdicts.items():
            if points < max_points:
                message = feedback.strip()[-1500:] or "no error: the cell wrote to stderr"
                problems.append(
                    f"{alternative['name']!r} (answer cell {alternative['cell']}) earns only "
                    f"{points}/{max_points} in {grade_id}:\n{message}"
                )
        if alternative.get("emits", "") not in output:
            problems.append(
                f"{alternative['name']!r} should print {alternative['emits']!r}; it printed:\n"
                f"{output[-1000:]}"
            )
    assert not problems, f"{len(problems)} problem(s) in {lesson}:\n" + "\n\n".join(problems)
