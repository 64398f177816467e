"""Grading a whole class: discover the submissions, reuse cached results, run the other jobs
in parallel, write the outputs."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nbformat import NotebookNode

from cnncourse import grading
from cnncourse.grader import cache, jobserver, report, runner, sandbox, zygote
from cnncourse.grader.discover import discover
from cnncourse.grader.job import RELEASES_VARIABLE, course_config
from cnncourse.grader.result import Result, Status


def grade_class(
    submissions: str | os.PathLike[str],
    output: str | os.PathLike[str],
    course: str | os.PathLike[str],
    lessons: list[str] | None = None,
    jobs: int | None = None,
    timeout: int | None = None,
    job_timeout: float | None = None,
    memory_mb: int = runner.DEFAULT_MEMORY_MB,
    progress: bool = True,
    isolation: str = "auto",
    slurm: bool = False,
    slurm_args: list[str] | None = None,
    warm: bool = True,
) -> list[Result]:
    """Grade every submission under ``submissions``; write the outputs into ``output``.

    With ``slurm``, the jobs run as one Slurm array (``cnncourse.grader.slurm``; ``slurm_args``
    are passed to ``sbatch``, e.g. ``["--partition=short"]``) instead of the local pool. With
    ``warm`` (the default) the local pool prepares the next jobs, kernels included, while the
    current ones run (``runner.run_all``); ``warm=False`` starts each job cold, in its turn.
    Cached results (``output/.cache``) are reused when the submission, master, config, limits
    and grading code are unchanged; they come back with ``cached`` set. Returns one result per
    input row.

    Raises:
        ValueError: for a lesson the course does not have, or isolation ``required`` on a
            machine that cannot sandbox (``sandbox.SandboxUnavailable``).
    """
    course, output = Path(course), Path(output)
    known = grading.lessons(course)
    unknown = [lesson for lesson in lessons or [] if lesson not in known]
    if unknown:
        raise ValueError(
            f"unknown lesson(s) {', '.join(unknown)}; the course at {course} has "
            f"{', '.join(known)}. Pass --lessons with those names (or --course ROOT)."
        )
    if isolation != "none":  # required but impossible: say so before grading anything
        sandbox.resolve(isolation)
    config = course / "nbgrader_config.py"
    cell_timeout = timeout or int(course_config(config).Execute.get("timeout", 180))
    job_timeout = job_timeout or 10 * cell_timeout + 120
    rows = discover(submissions, known, lessons)
    folder = output / ".cache"
    folder.mkdir(parents=True, exist_ok=True)
    options = f"timeout={cell_timeout};memory={memory_mb};isolation={isolation}"
    config_bytes = config.read_bytes()
    results: dict[int, Result] = {}
    places: dict[int, Path] = {}
    todo = []
    for index, row in enumerate(rows):
        if row.get("status"):
            result = Result(row["student"], row["lesson"], str(row["path"]))
            result.status = Status(row["status"])
            result.messages.append(row["message"])
            results[index] = result
            continue
        master = course / "solutions" / row["lesson"] / f"{row['lesson']}.ipynb"
        who = f"{options};student={row['student']};lesson={row['lesson']}"  # one folder each
        key = cache.cache_key(
            Path(row["path"]).read_bytes(), master.read_bytes(), config_bytes, who
        )
        where = places[index] = folder / key
        cached = cache.load(where)
        if cached is not None:
            cached.source = str(row["path"])
            results[index] = cached
        else:
            todo.append((index, row, master, where))

    env: dict[str, str] = {}  # added to the jobs' environment: the servers' sockets, the releases
    stack = contextlib.ExitStack()  # the servers live until the last result is in
    if todo and not slurm:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cnncourse-")))
        (work / "releases").mkdir()  # each lesson's release, made once, copied by its other jobs
        env[RELEASES_VARIABLE] = str(work / "releases")
    if todo and warm and not slurm and zygote.usable(isolation):
        preload = zygote.preload_of(pairs(todo))
        forks = stack.enter_context(zygote.Zygote(work / "kernels", preload))
        env[sandbox.ZYGOTE_VARIABLE] = forks.path  # the jobs' kernels are forked from it
    if todo and warm and not slurm:  # the jobs themselves are forked from a job server
        server = stack.enter_context(zygote.Zygote(work / "jobs", jobserver.PRELOAD, plain=True))
        env[jobserver.VARIABLE] = server.path

    def job(row: dict, master: Path, where: Path):  # noqa: ANN202 -- a closure for the pool
        return lambda: runner.Job(
            master, config, row, where, cell_timeout, job_timeout, memory_mb, isolation,
            ahead=warm, env=env,
        )  # fmt: skip

    def failed(index: int, error: Exception) -> Result:
        row = rows[index]
        result = Result(row["student"], row["lesson"], str(row["path"]))
        result.messages.append(f"{type(error).__name__}: {error}")
        return result

    tasks = [(index, job(row, master, where)) for index, row, master, where in todo]
    workers = jobs or os.cpu_count() or 1
    if slurm:
        from cnncourse.grader import slurm as cluster

        specs = [
            cluster.Task(str(master), str(config), dict(row, path=str(row["path"])), str(where),
                         cell_timeout, job_timeout, memory_mb, isolation)
            for _, row, master, where in todo
        ]  # fmt: skip
        indices = [index for index, *_ in todo]
        finished = zip(indices, cluster.run_array(specs, output / ".slurm", workers, slurm_args))
    else:
        finished = runner.run_all(tasks, workers, failed, progress)
    with stack:
        for index, result in finished:
            cache.store(places[index], result)  # a rerun resumes here
            results[index] = result
    for index, where in places.items():
        if results[index].feedback:
            results[index].feedback_file = str(where / results[index].feedback)
    ordered = [results[i] for i in range(len(rows))]
    report.write_outputs(ordered, output, course)
    return ordered


def pairs(todo: list[tuple]) -> Iterator[tuple[NotebookNode, NotebookNode]]:
    """``(submission, master)`` notebooks of the ``(index, row, master path, folder)`` jobs in
    ``todo`` (each master read once); unreadable submissions are left out (their job says
    why)."""
    masters: dict[Path, NotebookNode] = {}
    for _, row, path, _ in todo:
        try:
            submission = grading.read(row["path"])
        except Exception:  # noqa: BLE001 -- the job reports it
            continue
        if path not in masters:
            masters[path] = grading.read(path)
        yield submission, masters[path]


def merge_results(
    results: str | os.PathLike[str], output: str | os.PathLike[str], course: str | os.PathLike[str]
) -> list[Result]:
    """Write the outputs of a class from job results collected elsewhere (every
    ``result.json`` under ``results``: jobs run by a cluster engine, one folder each).

    Raises:
        ValueError: when ``results`` holds no ``result.json``.
    """
    found = sorted(Path(results).rglob("result.json"))
    if not found:
        raise ValueError(
            f"no result.json under {results}: pass the folder that holds the jobs' --result-dir "
            "folders"
        )
    merged = []
    for path in found:
        result = Result.read(path)
        if result.feedback and (path.parent / result.feedback).is_file():
            result.feedback_file = str(path.parent / result.feedback)
        merged.append(result)
    merged.sort(key=lambda r: (r.student, r.lesson))
    Path(output).mkdir(parents=True, exist_ok=True)
    report.write_outputs(merged, Path(output), Path(course))
    return merged
