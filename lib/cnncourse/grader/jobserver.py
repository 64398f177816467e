"""Job processes forked from a server that imported nbgrader once: each job of a local batch
starts in a fraction of a second instead of importing nbgrader, nbconvert, nbclient and
SQLAlchemy again (about 4 s of CPU in every job process otherwise).

The server is a plain (unsandboxed) :class:`cnncourse.grader.zygote.Zygote` preloaded with
:data:`PRELOAD`, started by the batch. A job's command is then
``python -m cnncourse.grader.jobserver JOB-ARGUMENTS`` (:func:`launch`): a launcher that imports
only the standard library, passes its standard streams, folder and environment to the server,
and lives as long as the job that the server forks; killing the launcher kills the job's
process group. The fork runs ``python -m cnncourse.grader.cli job JOB-ARGUMENTS`` in its own
process (:func:`cnncourse.grader.zygote.run_module`); without a server, the launcher becomes
that command.
"""

from __future__ import annotations

import contextlib
import os
import sys

VARIABLE = "CNN_GRADER_JOBSERVER"  # the server's socket, in a job's environment
JOB_MODULE = "cnncourse.grader.cli"  # what a job runs: python -m cnncourse.grader.cli job ...
# What a job imports for its steps (generate_assignment, autograde, generate_feedback),
# including what they import on first use: a new gradebook's alembic and SQLite, IPython's
# input transformer (the static analysis of prune and warm), the feedback's syntax highlighting.
PRELOAD = [
    "nbformat",
    "nbclient",
    "nbgrader.converters",
    "nbgrader.api",
    "nbgrader.preprocessors",
    "nbconvert.exporters",
    "nbconvert.filters.highlight",
    "jupyter_client",
    "ipykernel.kernelspec",
    "IPython.core.inputtransformer2",
    "alembic.script",
    "sqlalchemy.dialects.sqlite",
    "sqlite3",
    "psutil",
    "pygments.lexers.python",
    "ipython_pygments_lexers",
    "mistune.plugins.def_list",
    "mistune.plugins.task_lists",
    "mistune.plugins.url",
    "cnncourse.grading",
    "cnncourse.grader.cli",
    "cnncourse.grader.execute",
    "cnncourse.grader.guard",
    "cnncourse.grader.audit",
    "cnncourse.grader.feedback",
    "cnncourse.grader.job",
    "cnncourse.grader.warm",
]


def command(job_arguments: list[str]) -> list[str]:
    """The command line of a job forked from the server (the arguments of ``cli job``)."""
    return [sys.executable, "-m", __name__, *job_arguments]


def plain_command(job_arguments: list[str]) -> list[str]:
    """The command line of a job that is a new Python (``python -m cnncourse.grader.cli job``)."""
    return [sys.executable, "-m", JOB_MODULE, "job", *job_arguments]


def launch(job_arguments: list[str]) -> int:
    """Ask the server named by :data:`VARIABLE` for the job and wait for it to end; its exit
    status. Without a server (or when it refuses), become ``python -m cnncourse.grader.cli job``
    itself."""
    from cnncourse.grader import zygote

    path = os.environ.get(VARIABLE, "")
    if path and not zygote.wait_for(path, 120):
        request = {
            "module": JOB_MODULE, "argv": ["job", *job_arguments],
            "env": dict(os.environ), "cwd": os.getcwd(),
        }  # fmt: skip
        with contextlib.suppress(OSError):
            refused, code = zygote.ask(path, request, [0, 1, 2])
            if not refused:
                return code
    os.execv(sys.executable, plain_command(job_arguments))
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
