"""Running the batch's jobs on a Slurm cluster: one array task per submission.

``classgrade SUBMISSIONS OUTPUT --slurm`` hands the jobs that the local pool would run to
``sbatch --array`` instead. Each array task runs :func:`cnncourse.grader.runner.run_job` for one
submission on whichever node Slurm picks (its own process group, memory limit and wall-clock
limit, exactly as locally) and writes its result next to the job's own; the batch waits for the
whole array (``sbatch --wait``, or until every task has left its result), reads every result
back and writes the same ``grades.csv``, feedback, ``report.html`` and histogram as a local run.
The output folder (which holds the cache and the job folders), the course and the submissions
must be on a file system that every node sees, and the nodes need the same Python environment.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cnncourse.grader import runner
from cnncourse.grader.result import Result, Status

TASK_RESULT = "slurm-result.json"  # what an array task writes into its job's folder
RESULT_POLL = 0.5  # seconds between looks for the tasks' results while sbatch waits
MODULE = "cnncourse.grader.slurm"


@dataclass
class Task:
    """Everything one array task needs to run one job (JSON-able)."""

    master: str
    config: str
    row: dict
    result_dir: str
    timeout: int | None
    job_timeout: float
    memory_mb: int
    isolation: str

    def run(self) -> Result:
        """Run the job here, as the local pool would; write and return its result."""
        result = runner.run_job(
            Path(self.master), Path(self.config), self.row, Path(self.result_dir),
            self.timeout, self.job_timeout, self.memory_mb, self.isolation,
        )  # fmt: skip
        result.write(Path(self.result_dir) / TASK_RESULT)
        return result


def available() -> str:
    """Why this machine cannot submit to Slurm, or "" when it can."""
    if not shutil.which("sbatch"):
        return "sbatch was not found: run on a Slurm login node (or install slurm-wlm)"
    return ""


def array_script(tasks_file: Path) -> str:
    """The batch script of the array: task ``$SLURM_ARRAY_TASK_ID`` runs one job."""
    python = shlex.quote(sys.executable)
    return (
        "#!/bin/sh\n"
        "# Written by cnncourse.grader.slurm: one grading job per array task.\n"
        f"exec {python} -m {MODULE} task {shlex.quote(str(tasks_file))} "
        '"$SLURM_ARRAY_TASK_ID"\n'
    )


def wait_for_array(command: list[str], env: dict[str, str], results: list[Path]) -> bool:
    """Run ``sbatch --wait`` (``command``) until it returns, or until every path of
    ``results`` exists: sbatch asks the controller at growing intervals (up to 10 s), while
    each task writes its result (atomically) as its last act, so stopping sbatch then loses
    nothing. Returns True when sbatch returned by itself, False when it was stopped.

    Raises:
        RuntimeError: when sbatch refuses the array (the message holds Slurm's own words).
    """
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as sbatch:
        while sbatch.poll() is None:
            if all(path.is_file() for path in results):
                sbatch.terminate()
                sbatch.communicate()
                return False
            time.sleep(RESULT_POLL)
        out, err = sbatch.communicate()
    if sbatch.returncode != 0 and not out.strip():
        raise RuntimeError(
            f"sbatch refused the grading array ({sbatch.returncode}): "
            f"{err.strip()}\ncommand: {shlex.join(command)}"
        )
    return True


def run_array(
    tasks: list[Task], folder: Path, workers: int, extra_args: list[str] | None = None
) -> list[Result]:
    """Run ``tasks`` as one Slurm array (at most ``workers`` at a time) and wait for all of
    them; return their results in order. A task that left no result (Slurm killed it, its
    node failed) gets an ``error`` result that quotes the end of its Slurm log.

    Raises:
        RuntimeError: when ``sbatch`` is missing or refuses the array (the message holds
            Slurm's own words).
    """
    if not tasks:
        return []
    problem = available()
    if problem:
        raise RuntimeError(problem)
    folder.mkdir(parents=True, exist_ok=True)
    tasks_file = folder / "tasks.json"
    tasks_file.write_text(json.dumps([task.__dict__ for task in tasks], indent=1, default=str))
    script = folder / "array.sh"
    script.write_text(array_script(tasks_file))
    for task in tasks:
        (Path(task.result_dir) / TASK_RESULT).unlink(missing_ok=True)
    minutes = max(math.ceil(max(task.job_timeout for task in tasks) / 60) + 2, 2)
    command = [
        "sbatch", "--wait", "--parsable", "--job-name=classgrade",
        f"--array=0-{len(tasks) - 1}%{max(workers, 1)}", "--cpus-per-task=1",
        f"--time={minutes}", f"--output={folder}/task-%a.log", *(extra_args or []), str(script),
    ]  # fmt: skip
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    # sbatch's exit code is that of the worst task, which is not ours to judge (each result
    # says what happened).
    wait_for_array(command, env, [Path(t.result_dir) / TASK_RESULT for t in tasks])
    results = []
    for index, task in enumerate(tasks):
        path = Path(task.result_dir) / TASK_RESULT
        if path.is_file():
            results.append(Result.read(path))
            continue
        result = Result(task.row["student"], task.row["lesson"], str(task.row["path"]))
        result.status = Status.ERROR
        log = folder / f"task-{index}.log"
        tail = log.read_text(errors="replace")[-1500:] if log.is_file() else "(no log)"
        result.messages.append(f"the Slurm array task {index} left no result: {tail}")
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m cnncourse.grader.slurm task TASKS_JSON INDEX`` (what each array task runs)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 3 or argv[0] != "task" or not argv[2].isdigit():
        print("usage: python -m cnncourse.grader.slurm task TASKS_JSON INDEX", file=sys.stderr)
        return 2
    tasks = json.loads(Path(argv[1]).read_text())
    index = int(argv[2])
    if index >= len(tasks):
        print(f"task {index} does not exist: {argv[1]} holds {len(tasks)}", file=sys.stderr)
        return 2
    result = Task(**tasks[index]).run()
    print(f"{result.student} {result.lesson}: {result.status.value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
