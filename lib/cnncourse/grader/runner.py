"""Where jobs run: each submission's job in a process of its own (its own process group, a
data-memory limit, a wall-clock limit), several at a time in a pool, the next ones prepared
(their kernels warm) while the current ones run."""

from __future__ import annotations

import collections
import concurrent.futures
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cnncourse.grader import jobserver, namespaces
from cnncourse.grader.job import SCORED
from cnncourse.grader.result import Result, Status

# Data memory per job. A correct 07-classic-architectures submission needs more than 5120 MB
# (building the 201.8M-parameter AlexNet) and is graded "crashed" with 3/16 points below 6144.
DEFAULT_MEMORY_MB = 8192


def limit_memory(memory_mb: int) -> None:
    """Cap this process's data segment (inherited by nbgrader and the kernel).

    RLIMIT_DATA, not RLIMIT_AS: TensorFlow reserves about 2 GB of address space it never uses
    (its import needs ~0.5 GB of data), so an address-space limit low enough to stop a bomb
    breaks ``import tensorflow``. A data limit counts what a program really allocates.
    """
    import resource

    limit = int(memory_mb) * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def job_arguments(
    master: Path,
    config: Path,
    row: dict[str, Any],
    result_dir: Path,
    timeout: int | None,
    memory_mb: int,
    isolation: str = "auto",
    wait: bool = False,
) -> list[str]:
    """The arguments of one job (``python -m cnncourse.grader.cli job ARGUMENTS``); with
    ``wait`` it prepares, then waits for ``go`` on its stdin (:class:`Job`)."""
    return [
        "--master", str(master), "--config", str(config), "--submission", str(row["path"]),
        "--student", row["student"], "--lesson", row["lesson"], "--result-dir", str(result_dir),
        "--memory-mb", str(memory_mb), "--isolation", isolation,
    ] + (["--timeout", str(timeout)] if timeout else []) + (["--wait"] if wait else [])  # fmt: skip


class Job:
    """One submission's job in a process of its own and its own process group (``env``: what
    it adds to this process's environment).

    With the socket of a job server in ``env`` (``CNN_GRADER_JOBSERVER``), the process is forked
    from it (:mod:`cnncourse.grader.jobserver`). Made with ``ahead=True`` it starts at once and
    prepares (imports, its course, a warm kernel) while earlier jobs run, then waits.
    :meth:`run_until_scored` lets it run (or starts it, if it was not made ahead) and returns
    once its notebook is scored; :meth:`finish` waits for its end (the feedback), at most
    ``job_timeout`` seconds from its start in all, kills the whole group and returns the result.
    """

    def __init__(
        self,
        master: Path,
        config: Path,
        row: dict[str, Any],
        result_dir: Path,
        timeout: int | None,
        job_timeout: float,
        memory_mb: int,
        isolation: str = "auto",
        ahead: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.row, self.result_dir, self.job_timeout = row, Path(result_dir), job_timeout
        self.env = dict(env or {})  # added to the job's environment (the batch's zygotes)
        arguments = job_arguments(
            master, config, row, self.result_dir, timeout, memory_mb, isolation, wait=ahead
        )
        if jobserver.VARIABLE in self.env:  # forked from the batch's job server
            self.command = jobserver.command(arguments)
        else:
            self.command = jobserver.plain_command(arguments)
        self.process: subprocess.Popen | None = None
        self.deadline: float | None = None  # when it is killed; set when it is let run
        if ahead:
            self._start()

    def _start(self) -> None:
        self.result_dir.mkdir(parents=True, exist_ok=True)
        (self.result_dir / "result.json").unlink(missing_ok=True)
        (self.result_dir / SCORED).unlink(missing_ok=True)
        env = dict(os.environ, **self.env)
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        with open(self.result_dir / "job.log", "wb") as log:
            self.process = subprocess.Popen(
                self.command, stdin=subprocess.PIPE if "--wait" in self.command else None,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
            )  # fmt: skip

    def run_until_scored(self) -> None:
        """Let the job run and return once its notebook is scored (the file ``SCORED`` in its
        result folder: its feedback is still to come), it ended, or its time is up."""
        if self.process is None:
            self._start()
        process = self.process
        assert process is not None
        self.deadline = time.monotonic() + self.job_timeout
        if process.stdin is not None:
            try:
                process.stdin.write(b"go\n")
                process.stdin.close()
            except BrokenPipeError:  # it ended while preparing: its result says why
                pass
        scored = self.result_dir / SCORED
        while process.poll() is None and time.monotonic() < self.deadline:
            if scored.exists():
                return
            time.sleep(0.05)

    def finish(self) -> Result:
        """Run the job to its end (or its time limit); its result."""
        if self.deadline is None:
            self.run_until_scored()
        process, deadline = self.process, self.deadline
        assert process is not None and deadline is not None
        killed = False
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            killed = True
        finally:
            self.kill()
        return self._result(killed, time.monotonic() - deadline + self.job_timeout)

    def kill(self) -> None:
        """End the job's process group and every process it started (the kernel, which
        jupyter_client starts in a session of its own, and whatever that started)."""
        if self.process is None:
            return
        namespaces.kill_tree(self.process.pid)
        self.process.wait()

    def _result(self, killed: bool, seconds: float) -> Result:
        path = self.result_dir / "result.json"
        if path.is_file() and not killed:
            return Result.read(path)
        row = self.row
        result = Result(row["student"], row["lesson"], str(row["path"]))
        if killed:
            result.status = Status.TIMED_OUT
            result.messages.append(f"the job ran over {self.job_timeout:.0f} s and was killed")
        else:
            tail = (self.result_dir / "job.log").read_text(errors="replace")[-1500:]
            code = self.process.returncode if self.process else None
            result.messages.append(f"the job exited {code}: {tail}")
        result.seconds = round(seconds, 2)
        return result


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
    """Run one job now, cold (no preparation ahead): its result."""
    job = Job(master, config, row, result_dir, timeout, job_timeout, memory_mb, isolation)
    return job.finish()


def run_all(
    tasks: Iterable[tuple[Any, Callable[[], Job]]],
    workers: int,
    failed: Callable[[Any, Exception], Result],
    progress: bool = False,
    ahead: int | None = None,
) -> Iterator[tuple[Any, Result]]:
    """Run ``(key, make_job)`` tasks, ``workers`` at a time, and yield ``(key, result)`` as they
    finish. ``ahead`` more jobs (default: ``workers``) are made, and so prepare, while the
    running ones run: on a machine with a core to spare, the next job's kernel is warm when its
    turn comes. A job that raises gets ``failed(key, error)``: no row is ever lost."""
    pending = collections.deque(tasks)
    ready: collections.deque[tuple[Any, Job | Exception]] = collections.deque()
    lock = threading.Lock()
    ahead = workers if ahead is None else ahead
    stopping = threading.Event()

    def top_up(least: int) -> None:
        while pending and len(ready) < max(ahead, least) and not stopping.is_set():
            key, make = pending.popleft()
            try:
                ready.append((key, make()))
            except Exception as error:  # reported as this key's result
                ready.append((key, error))

    def take() -> tuple[Any, Job | Exception] | None:
        with lock:
            top_up(1)
            item = ready.popleft() if ready else None
            top_up(0)  # the next ones prepare while this one runs
            return item

    def collect(key: Any, job: Job) -> None:
        try:
            result = job.finish()
        except Exception as error:  # never lose a row
            result = failed(key, error)
        finished.put((key, result))

    def work() -> None:
        while not stopping.is_set() and (item := take()) is not None:
            key, job = item
            try:
                if isinstance(job, Exception):
                    raise job
                job.run_until_scored()  # its slot is free once its notebook is scored
                collectors.submit(collect, key, job)  # its feedback is written meanwhile
            except Exception as error:  # never lose a row
                finished.put((key, failed(key, error)))

    finished: queue.Queue[tuple[Any, Result]] = queue.Queue()
    total = len(pending)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="grading", unit="submission")
    collectors = concurrent.futures.ThreadPoolExecutor(max_workers=2 * max(workers, 1))
    with collectors, concurrent.futures.ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        try:
            for _ in range(max(workers, 1)):
                pool.submit(work)
            for _ in range(total):
                key, result = finished.get()
                if bar is not None:
                    bar.update()
                yield key, result
        finally:  # also when the caller stops early: the running jobs end, no new one starts
            stopping.set()
            with lock:
                for _, job in ready:  # prepared, never run
                    if not isinstance(job, Exception):
                        job.kill()
                ready.clear()
            if bar is not None:
                bar.close()
