"""Where results are reported: ``grades.csv``, ``feedback/<student>/<lesson>.html``,
``histogram.png`` and ``report.html`` (from the Jinja2 template shipped in this package)."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

from cnncourse.grader.discover import safe_name
from cnncourse.grader.result import UNGRADED, Result, Status
from cnncourse.grader.submission import manual_points, test_points

TEMPLATES = Path(__file__).resolve().parent / "templates"


def graded(results: list[Result]) -> list[Result]:
    """The results that have scores (whatever their status)."""
    return [r for r in results if r.status not in UNGRADED]


def attention(results: list[Result]) -> list[Result]:
    """The results that are not a plain, clean ``ok``."""
    return [r for r in results if r.status != Status.OK or r.flags]


def manual_grading(results: list[Result]) -> list[Result]:
    """The graded results with written answers the instructor still grades by hand."""
    return [r for r in results if r.needs_manual_grading]


def pass_rates(results: list[Result]) -> dict[str, dict[str, float]]:
    """Per lesson and test cell: the share of graded submissions with full points."""
    rates: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    for r in graded(results):
        counts[r.lesson] = counts.get(r.lesson, 0) + 1
        for test, score in r.tests.items():
            rates.setdefault(r.lesson, {}).setdefault(test, 0.0)
            rates[r.lesson][test] += float(score.points >= score.max > 0)
    for lesson, tests in rates.items():
        for test in tests:
            tests[test] /= max(counts[lesson], 1)
    return rates


def write_grades(results: list[Result], path: Path, tests: list[str]) -> None:
    """``grades.csv``: one row per result; autograded points apart from the manual maximum."""
    fields = [
        "student", "lesson", "status", *tests, "auto_points", "auto_max", "manual_max",
        "needs_manual_grading", "manual_questions", "isolation", "flags", "messages",
    ]  # fmt: skip
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for r in results:
            row: dict[str, object] = {t: s.points for t, s in r.tests.items() if t in tests}
            row.update(
                student=r.student,
                lesson=r.lesson,
                status=r.status.value,
                auto_points=r.total,
                auto_max=r.max,
                manual_max=r.manual_max,
                needs_manual_grading="yes" if r.needs_manual_grading else "no",
                manual_questions=" ".join(r.manual),
                isolation=r.isolation if r.status not in UNGRADED else "",
                flags=" ".join(f.value for f in r.flags),
                messages=" | ".join(m.replace("\n", " ")[:300] for m in r.messages),
            )
            writer.writerow(row)
    os.replace(temporary, path)


def histogram(results: list[Result], path: Path) -> None:
    """A histogram of autograded totals (percent of the maximum), one series per lesson."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    for lesson in sorted({r.lesson for r in graded(results)}):
        scores = [100 * r.total / r.max for r in graded(results) if r.lesson == lesson and r.max]
        axes.hist(scores, bins=list(range(0, 105, 5)), alpha=0.6, label=lesson)
    axes.set_xlabel("autograded score (% of the maximum)")
    axes.set_ylabel("submissions")
    axes.set_title("Scores")
    if graded(results):
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def render(results: list[Result]) -> str:
    """The class report as HTML: statuses, isolation, pass rates, the histogram, written
    answers to grade by hand, and what needs attention."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    counts: dict[str, int] = {}
    isolations: dict[str, int] = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    for r in graded(results):
        isolations[r.isolation] = isolations.get(r.isolation, 0) + 1
    return environment.get_template("report.html.j2").render(
        results=results,
        counts=sorted(counts.items()),
        isolations=sorted(isolations.items()),
        rates=sorted(pass_rates(results).items()),
        manual=manual_grading(results),
        attention=attention(results),
    )


def write_outputs(results: list[Result], output: Path, course: Path) -> None:
    """grades.csv, feedback/<student>/<lesson>.html, histogram.png and report.html."""
    from cnncourse import grading

    tests: list[str] = []
    for lesson in sorted({r.lesson for r in results if r.lesson}):
        master = grading.read(course / "solutions" / lesson / f"{lesson}.ipynb")
        tests += [t for t in test_points(master) if t not in tests]
        manual = manual_points(master)
        for r in results:
            if r.lesson == lesson and not r.manual:
                r.manual = dict(manual)
    output.mkdir(parents=True, exist_ok=True)
    write_grades(results, output / "grades.csv", tests)
    for r in results:
        source = Path(r.feedback_file or "")
        if r.feedback_file and source.is_file():
            target = output / "feedback" / safe_name(r.student) / f"{r.lesson}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    histogram(results, output / "histogram.png")
    (output / "report.html").write_text(render(results))
