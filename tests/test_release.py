"""course/ is exactly what nbgrader makes of solutions/, and gives nothing away."""

from __future__ import annotations

import json
import re

import pytest

from cnncourse import grading

from conftest import LESSONS, MARKERS, ROOT, make_course, marked_lines


def test_every_lesson_folder_has_a_master_and_a_release():
    assert LESSONS, "solutions/ holds no lesson (expected solutions/NN-slug/NN-slug.ipynb)"
    for lesson in LESSONS:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", lesson), f"{lesson}: name it NN-slug"
        assert (ROOT / "course" / lesson / f"{lesson}.ipynb").is_file(), (
            f"course/{lesson} is missing: run `make release`"
        )


@pytest.mark.slow
@pytest.mark.nbgrader
@pytest.mark.parametrize("lesson", LESSONS)
def test_course_matches_a_fresh_release(lesson, tmp_path):
    fresh = make_course(tmp_path, [lesson]) / "course" / lesson
    committed = ROOT / "course" / lesson
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert committed_files == fresh_files, "course/ holds other files than a fresh release"
    for name in fresh_files:
        if name.suffix == ".ipynb":
            same = json.loads((fresh / name).read_text()) == json.loads(
                (committed / name).read_text()
            )
        else:
            same = (fresh / name).read_bytes() == (committed / name).read_bytes()
        assert same, f"course/{lesson}/{name} is stale: run `make release` and commit"


@pytest.mark.parametrize("lesson", LESSONS)
def test_course_holds_no_solution_or_hidden_test(lesson):
    master = grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    released_text = (ROOT / "course" / lesson / f"{lesson}.ipynb").read_text()
    assert not MARKERS.search(released_text)
    released = grading.read(ROOT / "course" / lesson / f"{lesson}.ipynb")
    # Every line written between the markers of the master is absent from the release.
    inside, outside = marked_lines(master)
    secret_lines = {line for line in inside if len(line) > 12} - outside
    leaked = [
        line
        for cell in released.cells
        for line in cell.source.splitlines()
        if line.strip() in secret_lines
    ]
    assert not leaked, f"course/{lesson} shows solution or hidden-test lines: {leaked[:3]}"
    answers = grading.nbgrader_cells(released, "solution")
    assert answers, f"{lesson} has no autograded answer cell"
    for grade_id, cell in answers.items():
        if cell.cell_type == "code":
            assert "raise NotImplementedError" in cell.source, f"{grade_id} is not blanked"


@pytest.mark.parametrize("lesson", LESSONS)
def test_master_follows_the_lesson_conventions(lesson):
    nb = grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    tests = grading.nbgrader_cells(nb, "test")
    answers = grading.nbgrader_cells(nb, "solution")
    assert 1 <= len(answers), f"{lesson}: no graded exercise"
    assert tests, f"{lesson}: no graded test cell"
    for grade_id, cell in tests.items():
        assert cell.metadata.nbgrader.get("points", 0) > 0, f"{grade_id} is worth no points"
        assert cell.metadata.nbgrader.get("locked"), f"{grade_id} must be locked"
        assert "BEGIN HIDDEN TESTS" in cell.source, f"{grade_id} has no hidden tests"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].get("id") == "install", (
        f"{lesson}: the first code cell must be the install cell (make release stamps it)"
    )
    assert "tensorflow" not in code[0].source and "keras" not in code[0].source
    first_code = code[1]
    assert "quiet_tensorflow()" in first_code.source, (
        f"{lesson}: the setup cell after the install cell must call config.quiet_tensorflow() "
        "before any import of "
        "TensorFlow (its log lines on stderr cost students their points)"
    )
    assert first_code.metadata.get("nbgrader", {}).get("locked"), (
        f"{lesson}: the setup cell must be locked"
    )
