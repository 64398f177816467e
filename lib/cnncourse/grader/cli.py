"""The command line: ``python -m cnncourse.classgrade`` (grade a class, ``job``, ``validate``).

Instructors::

    python -m cnncourse.classgrade SUBMISSIONS_DIR OUTPUT_DIR [--lessons 00-getting-started ...]
        [--jobs N] [--timeout S] [--job-timeout S] [--memory-mb M] [--course ROOT]
        [--isolation auto|required|none] [--slurm [--slurm-args "..."]]

Results of jobs run elsewhere (a Kubernetes Job, another queue), one folder each::

    python -m cnncourse.classgrade merge RESULTS_DIR OUTPUT_DIR [--course ROOT]

One submission (what the batch runs, one process each)::

    python -m cnncourse.classgrade job --master M --config C --submission S --student NAME
        --lesson L --result-dir DIR [--timeout S] [--memory-mb M] [--isolation ...]

Students::

    python -m cnncourse.classgrade validate NOTEBOOK
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

ISOLATIONS = ("auto", "required", "none")
DEFAULT_MEMORY_MB = 8192  # the same as cnncourse.grader.runner's (not imported: validate is light)


def default_course() -> Path:
    """The course this package belongs to (the repository root)."""
    return Path(__file__).resolve().parents[3]


def validate_main(argv: list[str]) -> int:
    """``validate NOTEBOOK``: run it as the grader would, list what fails."""
    from cnncourse.grader.validate import validate

    parser = argparse.ArgumentParser(prog="python -m cnncourse.classgrade validate")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--timeout", type=int, default=180, help="seconds per cell")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"{args.notebook} is not a file; pass the path of your .ipynb")
    ok, summary = validate(args.notebook, args.timeout)
    print(summary)
    return 0 if ok else 1


def job_main(argv: list[str]) -> int:
    """``job ...``: grade one submission into ``--result-dir``."""
    from cnncourse.grader.job import grade_submission
    from cnncourse.grader.runner import limit_memory

    parser = argparse.ArgumentParser(prog="python -m cnncourse.classgrade job")
    for name in ("master", "config", "submission", "result-dir"):
        parser.add_argument(f"--{name}", type=Path, required=True)
    parser.add_argument("--student", required=True)
    parser.add_argument("--lesson", required=True)
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--isolation", choices=ISOLATIONS, default="auto")
    parser.add_argument(
        "--wait", action="store_true",
        help="prepare (warm kernel included), then run when a line 'go' arrives on stdin",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.memory_mb > 0:
        limit_memory(args.memory_mb)
    gate = (lambda: sys.stdin.readline().strip() == "go") if args.wait else None
    result = grade_submission(
        args.master, args.config, args.submission, args.student, args.lesson,
        args.result_dir, args.timeout, args.isolation, gate,
    )  # fmt: skip
    print(
        f"{result.student} {result.lesson}: {result.status.value}, {result.total:g}/{result.max:g}"
    )
    return 0


def class_main(argv: list[str]) -> int:
    """Grade every submission of a folder."""
    from cnncourse.grader.batch import grade_class
    from cnncourse.grader.report import attention

    parser = argparse.ArgumentParser(
        prog="python -m cnncourse.classgrade",
        description="Grade every submission in SUBMISSIONS_DIR with nbgrader; write grades.csv, "
        "feedback/, report.html and histogram.png into OUTPUT_DIR. "
        "Subcommands: 'validate NOTEBOOK' (students), 'job ...' (one submission).",
    )
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    parser.add_argument("output", type=Path, metavar="OUTPUT_DIR")
    parser.add_argument("--lessons", nargs="+", default=None, help="default: those submitted")
    parser.add_argument("--jobs", type=int, default=None, help="parallel jobs (default: cores)")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell")
    parser.add_argument("--job-timeout", type=float, default=None, help="seconds per job")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--course", type=Path, default=default_course(), help="master course")
    parser.add_argument(
        "--isolation", choices=ISOLATIONS, default="auto",
        help="OS isolation of each kernel: auto (when the machine can), required, none",
    )  # fmt: skip
    parser.add_argument(
        "--cold", action="store_true",
        help="start each job in its turn (default: the next jobs prepare, kernels warm)",
    )  # fmt: skip
    parser.add_argument(
        "--slurm", action="store_true",
        help="run the jobs as one Slurm array (sbatch --array), --jobs at a time",
    )  # fmt: skip
    parser.add_argument(
        "--slurm-args", default="", metavar="ARGS",
        help='more sbatch options, e.g. "--partition=short --account=cnn"',
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder; pass the folder of submissions")
    if (
        not (args.course / "solutions").is_dir()
        or not (args.course / "nbgrader_config.py").is_file()
    ):
        parser.error(
            f"{args.course} is not the course (no solutions/ or nbgrader_config.py); "
            "pass --course with the repository root"
        )
    if args.output.resolve() == args.submissions.resolve():
        parser.error("OUTPUT_DIR must differ from SUBMISSIONS_DIR")
    try:
        results = grade_class(
            args.submissions, args.output, args.course, args.lessons, args.jobs,
            args.timeout, args.job_timeout, args.memory_mb, isolation=args.isolation,
            slurm=args.slurm, slurm_args=shlex.split(args.slurm_args), warm=not args.cold,
        )  # fmt: skip
    except ValueError as problem:
        parser.error(str(problem))
    except RuntimeError as problem:  # Slurm refused the array
        print(f"classgrade: {problem}", file=sys.stderr)
        return 2
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    print(f"{len(results)} rows ({', '.join(f'{s}: {n}' for s, n in sorted(counts.items()))}).")
    unisolated = sum(1 for r in results if r.isolation == "none" and r.status.value == "ok")
    if unisolated:
        print(f"{unisolated} submission(s) graded without OS isolation (see report.html).")
    print(f"{len(attention(results))} need attention: see {args.output / 'report.html'}")
    return 0


def merge_main(argv: list[str]) -> int:
    """``merge RESULTS_DIR OUTPUT_DIR``: the class's outputs from jobs' result folders."""
    from cnncourse.grader.batch import merge_results

    parser = argparse.ArgumentParser(prog="python -m cnncourse.classgrade merge")
    parser.add_argument("results", type=Path, metavar="RESULTS_DIR")
    parser.add_argument("output", type=Path, metavar="OUTPUT_DIR")
    parser.add_argument("--course", type=Path, default=default_course(), help="master course")
    args = parser.parse_args(argv)
    if not args.results.is_dir():
        parser.error(f"{args.results} is not a folder; pass the folder of the jobs' results")
    try:
        merged = merge_results(args.results, args.output, args.course)
    except ValueError as problem:
        parser.error(str(problem))
    print(f"{len(merged)} results merged into {args.output / 'grades.csv'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m cnncourse.classgrade`` (see the module's docstring)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["validate"]:
        return validate_main(argv[1:])
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
    if argv[:1] == ["job"]:
        return job_main(argv[1:])
    return class_main(argv)


def skip_unused_imports() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` in this process.

    ``rfc3987_syntax`` (installed for Jupyter's event schemas) compiles a grammar when it is
    imported: about 1.1 s of CPU in every process that imports ``nbformat``, which is every
    grading job and the batch. It only adds jsonschema's ``iri`` format check, which nbformat
    does not use. Called only when this module runs as a program (each job is one), never on
    import, so a Python session that imports the module keeps its jsonschema whole.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import" raises ImportError


if __name__ == "__main__":
    skip_unused_imports()
    sys.exit(main())
