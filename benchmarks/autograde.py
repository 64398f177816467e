"""Autograde throughput: seconds per submission for each lesson, serial and parallel.

python -m benchmarks.autograde                                # every lesson, 2 students
python -m benchmarks.autograde --lessons 00-getting-started --students 4 --jobs 1,2
python -m benchmarks.autograde --baseline-ref HEAD~1          # also time an older grader

The submissions are the lessons' solutions as a student hands them in: the student release
(made here with nbgrader from the master) with every answer cell filled in from the master.
Each student's copy is the same notebook. They are graded through the instructors' command,
``python -m cnncourse.classgrade SUBMISSIONS OUTPUT --lessons L --jobs N`` (a fresh OUTPUT each
run, so nothing comes from its cache); seconds per submission = the command's wall time / the
number of submissions. With ``--baseline-ref`` the same runs use the ``cnncourse`` package of
that git commit too (exported with ``git archive``), side by side, for before/after ratios.
As a reference point, plain ``nbgrader autograde LESSON --create --force`` (and
``generate_feedback``) times the same submissions of the first lesson in a course of its own.

Then the whole course for one student as one batch (what an instructor runs: the next jobs
prepare, their kernels warm, while the current one runs), ``--jobs 1`` and ``--jobs 2``, for
each grader. Targets: 45 s serially and 30 s with ``--jobs 2``, OS isolation on (the default).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS, ROOT, write_result

COURSE_TARGET_S = 60.0  # the sum of the per-lesson figures (an earlier target)
# The whole course for one student, graded as one batch: (--jobs, seconds).
WHOLE_COURSE_TARGETS = {1: 45.0, 2: 30.0}
STEPS = (  # the parts of a job (cnncourse.classgrade.grade_submission), in order
    "read", "import_nbgrader", "generate_assignment", "sanitize", "autograde", "scores",
    "generate_feedback",
)  # fmt: skip
MARKERS = re.compile(r"^[ \t]*#+[ \t]*(BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def solved_submission(master: Any, release: Any) -> Any:
    """The release notebook with each answer cell filled in with the master's solution.

    The solution markers (``### BEGIN SOLUTION`` / ``### END SOLUTION``) are dropped; every
    other cell (tests without their hidden part, locked cells) stays as released.
    """
    import copy

    from cnncourse import grading

    answers = grading.nbgrader_cells(master, "solution")
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata.nbgrader.get("solution"):
            cell.source = MARKERS.sub("", answers[grade_id].source)
    return nb


def make_release(course: Path, lesson: str, work: Path) -> Any:
    """The student release of ``lesson``, made by nbgrader in a scratch copy of the course."""
    from cnncourse import grading

    scratch = work / f"release-{lesson}"
    (scratch / "solutions" / lesson).mkdir(parents=True)
    shutil.copy(
        course / "solutions" / lesson / f"{lesson}.ipynb",
        scratch / "solutions" / lesson / f"{lesson}.ipynb",
    )
    shutil.copy(course / "nbgrader_config.py", scratch / "nbgrader_config.py")
    grading.nbgrader_in_process(scratch, "generate_assignment", lesson)
    release_dir = grading.course_config(scratch).CourseDirectory.get("release_directory", "release")
    return grading.read(scratch / release_dir / lesson / f"{lesson}.ipynb")


def make_submissions(
    course: Path, lessons: list[str], students: int, folder: Path, work: Path
) -> Path:
    """``folder/<student>/<lesson>/<lesson>.ipynb`` for ``students`` fake students."""
    import nbformat

    from cnncourse import grading

    for lesson in lessons:
        master = grading.read(course / "solutions" / lesson / f"{lesson}.ipynb")
        nb = solved_submission(master, make_release(course, lesson, work))
        for number in range(1, students + 1):
            target = folder / f"student{number:02d}" / lesson / f"{lesson}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, os.fspath(target))
    return folder


def environment(lib: Path | None) -> dict[str, str]:
    """The environment for a grading command: ``lib`` (a folder holding ``cnncourse``) first
    on the Python path, this Python's ``bin/`` first on PATH."""
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if lib is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [os.fspath(lib), *filter(None, [env.get("PYTHONPATH")])]
        )
    return env


def grade_batch(
    submissions: Path,
    output: Path,
    course: Path,
    lessons: list[str],
    jobs: int,
    lib: Path | None = None,
    timeout: float = 3600,
) -> dict[str, Any]:
    """Time ``python -m cnncourse.classgrade`` on ``submissions`` into a fresh ``output``.

    Returns ``{"wall_s", "cpu_s", "submissions", "statuses", "totals", "job_seconds", "steps",
    "returncode"}``: ``cpu_s`` is the CPU time of the command and everything it waited for
    (jobs, kernels); the per-job seconds and steps come from the jobs' cached results.
    """
    shutil.rmtree(output, ignore_errors=True)
    command = [
        sys.executable, "-m", "cnncourse.classgrade", os.fspath(submissions), os.fspath(output),
        "--lessons", *lessons, "--jobs", str(jobs), "--course", os.fspath(course),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, env=environment(lib), capture_output=True, text=True, timeout=timeout
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    results = [json.loads(p.read_text()) for p in sorted(output.glob(".cache/*/result.json"))]
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "submissions": len(results),
        "statuses": sorted({r["status"] for r in results}) or ["none"],
        "totals": sorted({(r["total"], r["max"]) for r in results}),
        "job_seconds": [r["seconds"] for r in results],
        "steps": [r.get("steps", {}) for r in results],
        "returncode": done.returncode,
        "log": (done.stdout + done.stderr)[-1500:],
    }


def whole_course(
    course: Path,
    lessons: list[str],
    submissions: Path,
    work: Path,
    variants: dict[str, Path | None],
    jobs_list: list[int],
) -> list[dict[str, Any]]:
    """Grade one student's whole course (``submissions/student01``) as one batch, for each
    grader and ``--jobs``; one entry each with the wall and CPU seconds."""
    one = work / "one-student"
    shutil.rmtree(one, ignore_errors=True)
    shutil.copytree(submissions / "student01", one / "student01")
    found = []
    for variant, lib in variants.items():
        for jobs in jobs_list:
            run = grade_batch(one, work / "out-course", course, lessons, jobs, lib)
            entry = {"variant": variant, "jobs": jobs, **{k: run[k] for k in RUN_KEYS}}
            found.append(entry)
            print(
                f"whole course, {variant}, jobs={jobs}: {run['wall_s']:.1f} s "
                f"(CPU {run['cpu_s']:.1f} s) {'/'.join(run['statuses'])} {run['totals']}",
                flush=True,
            )
    return found


RUN_KEYS = ("wall_s", "cpu_s", "submissions", "statuses", "totals")


def whole_course_notes(found: list[dict[str, Any]], lessons: int) -> str:
    """The whole-course figures as a sentence per grader, with the targets' verdicts."""
    lines = []
    for variant in dict.fromkeys(e["variant"] for e in found):
        parts = []
        for e in (x for x in found if x["variant"] == variant):
            target = WHOLE_COURSE_TARGETS.get(e["jobs"])
            verdict = ""
            if target is not None:
                verdict = f", target {target:.0f} s: {'met' if e['wall_s'] <= target else 'missed'}"
            parts.append(
                f"`--jobs {e['jobs']}` {e['wall_s']:.1f} s (CPU {e['cpu_s']:.0f} s{verdict})"
            )
        lines.append(f"**{variant}**: " + "; ".join(parts) + ".")
    return (
        f"**The whole course for one student, as one batch** ({lessons} lessons, isolation on, "
        "wall time of the command): " + " ".join(lines)
    )


def course_table(
    found: list[dict[str, Any]], jobs_list: list[int]
) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows: one row per grader, the wall seconds per ``--jobs`` and the CPU."""
    columns = ["grader", *(f"s, --jobs {j}" for j in jobs_list)]
    columns += [f"CPU s, --jobs {j}" for j in jobs_list] + ["status"]
    rows = []
    for variant in dict.fromkeys(e["variant"] for e in found):
        runs = {e["jobs"]: e for e in found if e["variant"] == variant}
        row: list[Any] = [variant]
        row += [f"{runs[j]['wall_s']:.1f}" if j in runs else "—" for j in jobs_list]
        row += [f"{runs[j]['cpu_s']:.0f}" if j in runs else "—" for j in jobs_list]
        row.append("/".join(sorted({s for e in runs.values() for s in e["statuses"]})))
        rows.append(row)
    return columns, rows


def nbgrader_reference(
    course: Path, lesson: str, submissions: Path, work: Path, timeout: float = 3600
) -> dict[str, Any]:
    """Plain ``nbgrader autograde LESSON --create --force`` and ``nbgrader generate_feedback``
    on every submission of ``lesson`` in a scratch course; wall seconds of each."""
    from cnncourse import grading

    scratch = work / "nbgrader-reference"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "solutions" / lesson).mkdir(parents=True)
    shutil.copy(course / "solutions" / lesson / f"{lesson}.ipynb", scratch / "solutions" / lesson)
    shutil.copy(course / "nbgrader_config.py", scratch / "nbgrader_config.py")
    grading.nbgrader(scratch, "generate_assignment", lesson, "--force")
    count = 0
    for student in sorted(p for p in submissions.iterdir() if p.is_dir()):
        source = student / lesson / f"{lesson}.ipynb"
        if source.is_file():
            target = scratch / "submitted" / student.name / lesson / source.name
            target.parent.mkdir(parents=True)
            shutil.copy(source, target)
            count += 1
    timings = {}
    for step, args in (
        ("autograde", ("autograde", lesson, "--create", "--force")),
        ("generate_feedback", ("generate_feedback", lesson, "--force")),
    ):
        start = time.perf_counter()
        grading.nbgrader(scratch, *args, timeout=timeout)
        timings[step] = round(time.perf_counter() - start, 2)
    scores = grading.scores(scratch, lesson)
    return {"lesson": lesson, "submissions": count, "scores": scores, **timings}


def export_lib(ref: str, work: Path) -> Path:
    """The ``lib/`` folder (holding ``cnncourse``) of git commit ``ref``, in ``work``."""
    target = work / f"lib-{re.sub(r'[^A-Za-z0-9._-]', '_', ref)}"
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", os.fspath(ROOT), "archive", ref, "lib/cnncourse"],
        capture_output=True,
        check=False,
    )
    if archive.returncode:
        raise ValueError(
            f"git archive {ref} failed: {archive.stderr.decode(errors='replace').strip()}; "
            "pass a commit of this repository to --baseline-ref"
        )
    subprocess.run(["tar", "-x", "-C", os.fspath(target)], input=archive.stdout, check=True)
    return target / "lib"


def median_steps(steps: list[dict[str, float]]) -> dict[str, float]:
    """The median of each step's seconds over the jobs that recorded it."""
    names = list(dict.fromkeys(name for s in steps for name in s))
    return {n: round(statistics.median(s[n] for s in steps if n in s), 2) for n in names}


def measure(
    course: Path,
    lessons: list[str],
    submissions: Path,
    work: Path,
    jobs_list: list[int],
    variants: dict[str, Path | None],
    repeats: int,
    baseline_lessons: list[str] | None = None,
) -> list[dict[str, Any]]:
    """For each lesson, variant (grader version) and job count: seconds per submission, the
    median over ``repeats`` runs of the instructors' command. Variants other than the current
    grader (``lib`` None) run only on ``baseline_lessons`` when it is given."""
    entries = []
    for lesson in lessons:
        for variant, lib in variants.items():
            if lib is not None and baseline_lessons and lesson not in baseline_lessons:
                continue
            for jobs in jobs_list:
                runs = [
                    grade_batch(submissions, work / "output", course, [lesson], jobs, lib)
                    for _ in range(repeats)
                ]
                count = max(r["submissions"] for r in runs) or 1
                wall = statistics.median(r["wall_s"] for r in runs)
                entry = {
                    "lesson": lesson,
                    "variant": variant,
                    "jobs": jobs,
                    "submissions": count,
                    "wall_s": round(wall, 2),
                    "per_submission_s": round(wall / count, 2),
                    "cpu_per_submission_s": round(
                        statistics.median(r["cpu_s"] for r in runs) / count, 2
                    ),
                    "job_s": round(statistics.median(s for r in runs for s in r["job_seconds"]), 2)
                    if any(r["job_seconds"] for r in runs)
                    else 0.0,
                    "statuses": sorted({s for r in runs for s in r["statuses"]}),
                    "totals": runs[-1]["totals"],
                    "steps": median_steps([s for r in runs for s in r["steps"]]),
                    "runs": runs,
                }
                entries.append(entry)
                print(
                    f"{lesson:28} {variant:9} jobs={jobs} {entry['per_submission_s']:6.1f} s per "
                    f"submission ({count} in {wall:.1f} s) {'/'.join(entry['statuses'])} "
                    f"{entry['totals']}",
                    flush=True,
                )
    return entries


def summarize(
    entries: list[dict[str, Any]],
    jobs_list: list[int],
    reference: dict[str, Any] | None,
    complete: bool = True,
) -> tuple[list[str], list[list[Any]], str]:
    """Columns, rows and notes of the results table (``complete``: every lesson measured)."""
    scope = "the whole course" if complete else "the lessons measured"
    variants = list(dict.fromkeys(e["variant"] for e in entries))
    lessons = list(dict.fromkeys(e["lesson"] for e in entries))
    index = {(e["lesson"], e["variant"], e["jobs"]): e for e in entries}
    columns = ["lesson"]
    for variant in variants:
        label = "" if variants == ["current"] else f"{variant}, "
        columns += [f"{label}s/submission, --jobs {j}" for j in jobs_list]
        columns.append(f"{label}CPU s/submission, --jobs {jobs_list[0]}")
    if len(variants) > 1:
        columns.append(
            f"speed-up {variants[-1]} vs {variants[0]}, --jobs {jobs_list[0]}: wall / CPU"
        )
    columns.append("status")
    rows = []
    notes_common = ""
    sums: dict[tuple[str, int], float] = {}
    for lesson in lessons:
        row: list[Any] = [lesson]
        statuses = set()
        for variant in variants:
            for jobs in jobs_list:
                e = index.get((lesson, variant, jobs))
                row.append(f"{e['per_submission_s']:.1f}" if e else "—")
                if e:
                    sums[variant, jobs] = sums.get((variant, jobs), 0.0) + e["per_submission_s"]
                    statuses.update(e["statuses"])
            e = index.get((lesson, variant, jobs_list[0]))
            row.append(f"{e['cpu_per_submission_s']:.1f}" if e else "—")
            if e:
                sums[variant, 0] = sums.get((variant, 0), 0.0) + e["cpu_per_submission_s"]
        if len(variants) > 1:
            before = index.get((lesson, variants[0], jobs_list[0]))
            after = index.get((lesson, variants[-1], jobs_list[0]))
            row.append(
                f"{before['per_submission_s'] / after['per_submission_s']:.2f}× / "
                f"{before['cpu_per_submission_s'] / after['cpu_per_submission_s']:.2f}×"
                if before and after
                else "—"
            )
        row.append("/".join(sorted(statuses)))
        rows.append(row)
    measured = {v: [x for x in lessons if (x, v, jobs_list[0]) in index] for v in variants}
    total_row: list[Any] = [f"**{scope}, 1 student**"]
    for variant in variants:
        part = "" if len(measured[variant]) == len(lessons) else f" ({len(measured[variant])})"
        total_row += [f"**{sums.get((variant, j), 0.0):.1f}**{part}" for j in jobs_list]
        total_row.append(f"**{sums.get((variant, 0), 0.0):.1f}**{part}")
    if len(variants) > 1:
        common = [x for x in measured[variants[0]] if x in measured[variants[-1]]]
        before = sum(index[x, variants[0], jobs_list[0]]["per_submission_s"] for x in common)
        after = sum(index[x, variants[-1], jobs_list[0]]["per_submission_s"] for x in common)
        cpu_before = sum(
            index[x, variants[0], jobs_list[0]]["cpu_per_submission_s"] for x in common
        )
        cpu_after = sum(
            index[x, variants[-1], jobs_list[0]]["cpu_per_submission_s"] for x in common
        )
        total_row.append(
            f"**{before / after:.2f}× / {cpu_before / cpu_after:.2f}×**"
            if before and after and cpu_after
            else "—"
        )
        if len(common) < len(lessons):
            notes_common = (
                f"**{variants[0]}** was timed on {', '.join(common)} only: {before:.0f} s there "
                f"against {after:.0f} s for {variants[-1]} (`--jobs {jobs_list[0]}`), "
                f"{before / after:.2f}× faster now; CPU {cpu_before:.0f} s against "
                f"{cpu_after:.0f} s ({cpu_before / cpu_after:.2f}×)."
            )
    total_row.append("")
    rows.append(total_row)
    notes = [notes_common] if len(variants) > 1 and notes_common else []
    serial = 1 if 1 in jobs_list else jobs_list[0]
    for variant in variants:
        total = sums.get((variant, serial))
        if total is not None and len(measured[variant]) == len(lessons):
            verdict = "met" if total <= COURSE_TARGET_S else "missed"
            notes.append(
                f"**{variant}**: {scope} for one student takes {total:.0f} s with "
                f"`--jobs {serial}` (sum of the lessons' seconds per submission); target "
                f"{COURSE_TARGET_S:.0f} s for the whole course: "
                + (f"**{verdict}**." if complete else "not judged (not every lesson ran).")
            )
    current = [e for e in entries if e["variant"] == variants[-1] and e["jobs"] == serial]
    if current and any(e["steps"] for e in current):
        parts = dict.fromkeys(STEPS, 0.0)
        for e in current:
            for name, seconds in e["steps"].items():
                parts[name] = parts.get(name, 0.0) + seconds
        notes.append(
            f"Where a {variants[-1]} job's time goes, summed over the lessons (median job): "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in parts.items() if seconds)
            + f" (job total {sum(e['job_s'] for e in current):.1f} s; the rest of the seconds "
            "per submission is the job's own Python start and the batch's start and outputs)."
        )
    if reference:
        count = max(reference["submissions"], 1)
        notes.append(
            f"Reference, plain nbgrader on {reference['lesson']} ({count} submissions in one "
            f"course): `nbgrader autograde` {reference['autograde'] / count:.1f} s per "
            f"submission, `nbgrader generate_feedback` "
            f"{reference['generate_feedback'] / count:.1f} s per submission."
        )
    cpu_total = sums.get((variants[-1], 0), 0.0)
    if cpu_total:
        notes.append(
            f"CPU time ({variants[-1]}, `--jobs {jobs_list[0]}`): {cpu_total:.0f} s of CPU per "
            "student for the lessons in the table, user + system, of the command and every "
            "process it waited for (jobs, nbgrader, kernels). On a shared machine this is the "
            "steadier number: wall time grows with the other load, CPU time barely does."
        )
    count = max((e["submissions"] for e in entries), default=0)
    notes.append(
        f"Each cell: the wall time of `python -m cnncourse.classgrade` (fresh output folder, no "
        f"cache) on {count} identical solved submissions of the lesson, divided by {count}; the "
        "median over the runs. `--jobs 2` grades two submissions at a time. Run: "
        "`python -m benchmarks.autograde` (or `make bench ONLY=autograde`)."
    )
    return columns, rows, "\n\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module's docstring."""
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.autograde", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--lessons", nargs="+", default=None, help="default: every lesson")
    parser.add_argument("--students", type=int, default=2, help="submissions per lesson")
    parser.add_argument("--jobs", default="1,2", help="comma-separated job counts")
    parser.add_argument("--repeats", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--baseline-ref", default=None, help="git commit of an older grader")
    parser.add_argument(
        "--baseline-lessons", nargs="+", default=None, help="time the baseline on these only"
    )
    parser.add_argument("--no-reference", action="store_true", help="skip plain nbgrader")
    parser.add_argument(
        "--no-whole-course", action="store_true", help="skip the one-batch whole-course runs"
    )
    parser.add_argument(
        "--whole-course-only", action="store_true",
        help="only the one-batch whole-course runs (table autograde-course)",
    )  # fmt: skip
    parser.add_argument("--course", type=Path, default=ROOT, help="the repository root")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the table goes")
    parser.add_argument("--name", default="autograde", help="results/NAME.{json,md}")
    args = parser.parse_args(argv)
    try:
        jobs_list = [int(j) for j in args.jobs.split(",") if j.strip()]
    except ValueError:
        parser.error(f"--jobs takes comma-separated numbers such as 1,2, not {args.jobs!r}")
    if not jobs_list or min(jobs_list) < 1 or args.students < 1 or args.repeats < 1:
        parser.error("--jobs, --students and --repeats must be at least 1")
    from cnncourse import grading

    known = grading.lessons(args.course)
    lessons = args.lessons or known
    unknown = [lesson for lesson in lessons if lesson not in known]
    if unknown:
        parser.error(f"unknown lesson(s) {unknown}; the course at {args.course} has {known}")
    # The older grader's package goes outside /tmp: a sandboxed kernel has a /tmp of its own
    # and must import the package that the grader running it imports.
    with (
        tempfile.TemporaryDirectory(prefix="cnncourse-bench-") as scratch,
        tempfile.TemporaryDirectory(prefix=".baseline-", dir=ROOT / "benchmarks") as baseline,
    ):
        work = Path(scratch)
        variants: dict[str, Path | None] = {}
        if args.baseline_ref:
            try:
                variants[f"before ({args.baseline_ref})"] = export_lib(
                    args.baseline_ref, Path(baseline)
                )
            except ValueError as problem:
                parser.error(str(problem))
        variants["current"] = None
        submissions = make_submissions(
            args.course, lessons, args.students, work / "submissions", work
        )
        entries = (
            []
            if args.whole_course_only
            else measure(
                args.course,
                lessons,
                submissions,
                work,
                jobs_list,
                variants,
                args.repeats,
                args.baseline_lessons,
            )
        )
        course_runs = []
        if not args.no_whole_course:
            course_runs = whole_course(args.course, lessons, submissions, work, variants, jobs_list)
        reference = None
        if not args.no_reference:
            reference = nbgrader_reference(args.course, lessons[0], submissions, work)
            print(f"plain nbgrader on {lessons[0]}: {reference}", flush=True)
    notes_load = f"\n\nLoad average (1, 5, 15 min) when this run started: {load_at_start}."
    if args.whole_course_only:
        columns, rows = course_table(course_runs, jobs_list)
        path = write_result(
            f"{args.name}-course",
            "Autograde: the whole course for one student",
            columns,
            rows,
            whole_course_notes(course_runs, len(lessons)) + notes_load,
            extra={"whole_course": course_runs},
            results_dir=args.results,
        )
        print(f"wrote {path}")
        return 0 if all(e["statuses"] == ["ok"] for e in course_runs) else 1
    columns, rows, notes = summarize(entries, jobs_list, reference, set(lessons) == set(known))
    if course_runs:
        notes = whole_course_notes(course_runs, len(lessons)) + "\n\n" + notes
    path = write_result(
        args.name,
        "Autograde throughput",
        columns,
        rows,
        notes + notes_load,
        extra={
            "entries": entries,
            "reference": reference,
            "students": args.students,
            "whole_course": course_runs,
        },
        results_dir=args.results,
    )
    print(f"wrote {path}")
    ok = all(e["statuses"] == ["ok"] for e in [*entries, *course_runs])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
