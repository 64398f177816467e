"""Where jobs run: each submission's job in a process of its own (its own process group, a
data-memory limit, a wall-clock limit), several at a time in a pool."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cnncourse.grader.result import Result, Status

# Data memory per job. A correct 07-classic-architectures submission needs more than 5120 MB
# (building the 201.8M-parameter AlexNet) and is graded "crashed" with 3/16 points below 6144.
DEFAULT_MEMORY_MB = 8192
JOB_MODULE = "cnncourse.grader.cli"


def limit_memory(memory_mb: int) -> None:
    """Cap this process's data segment (inherited by nbgrader and the kernel).

    RLIMIT_DATA, not RLIMIT_AS: TensorFlow reserves about 2 GB of address space it never uses
    (its import needs ~0.5 GB of data), so an address-space limit low enough to stop a bomb
    breaks ``import tensorflow``. A data limit counts what a program really allocates.
    """
    import resource

    limit = int(memory_mb) * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def job_command(
    master: Path,
    config: Path,
    row: dict[str, Any],
    result_dir: Path,
    timeout: int | None,
    memory_mb: int,
    isolation: str = "auto",
) -> list[str]:
    """The command line of one job (``python -m cnncourse.grader.cli job ...``)."""
    return [
        sys.executable, "-m", JOB_MODULE, "job",
        "--master", str(master), "--config", str(config), "--submission", str(row["path"]),
        "--student", row["student"], "--lesson", row["lesson"], "--result-dir", str(result_dir),
        "--memory-mb", str(memory_mb), "--isolation", isolation,
    ] + (["--timeout", str(timeout)] if timeout else [])  # fmt: skip


def run_job(
    master: Path,
    config: Path,
    row: dict[str, Any],
    result_dir: Path,
    timeout: int | None,
    job_timeout: float,
    memory_mb: int,
    isolation: str = "auto",
) -> Result:
    """Run one job in a new process group, under a memory limit; kill the whole group after
    ``job_timeout`` seconds. Returns the job's result."""
    command = job_command(master, config, row, result_dir, timeout, memory_mb, isolation)
    result_dir.mkdir(parents=True, exist_ok=True)
    (result_dir / "result.json").unlink(missing_ok=True)
    start = time.monotonic()
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with open(result_dir / "job.log", "wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        try:
            process.wait(timeout=job_timeout)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the kernel and anything it started
            except ProcessLookupError:
                pass
            process.wait()
    path = result_dir / "result.json"
    if path.is_file() and not killed:
        return Result.read(path)
    result = Result(row["student"], row["lesson"], str(row["path"]))
    if killed:
        result.status = Status.TIMED_OUT
        result.messages.append(f"the job ran over {job_timeout:.0f} s and was killed")
    else:
        tail = (result_dir / "job.log").read_text(errors="replace")[-1500:]
        result.messages.append(f"the job exited {process.returncode}: {tail}")
    result.seconds = round(time.monotonic() - start, 2)
    return result


def run_all(
    tasks: Iterable[tuple[Any, Callable[[], Result]]],
    workers: int,
    failed: Callable[[Any, Exception], Result],
    progress: bool = False,
) -> Iterable[tuple[Any, Result]]:
    """Run ``(key, job)`` tasks on ``workers`` threads (each job starts its own process);
    yield ``(key, result)`` as they finish. A job that raises gets ``failed(key, error)``."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(job): key for key, job in tasks}
        done: Iterable[Any] = concurrent.futures.as_completed(futures)
        if progress:
            from tqdm import tqdm

            done = tqdm(done, total=len(futures), desc="grading", unit="submission")
        for future in done:
            key = futures[future]
            try:
                yield key, future.result()
            except Exception as error:  # never lose a row
                yield key, failed(key, error)
