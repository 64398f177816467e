"""An IPython extension that shows a grading kernel's stderr (warnings included) as stdout.

nbgrader gives a test cell zero points when the cell has any stderr output
(``nbgrader.utils.determine_grade``), so a correct answer that triggers a NumPy
``RuntimeWarning`` (``np.where(union > 0, inter / union, 0.0)`` divides 0 by 0 before it
chooses) would lose the points of every test that calls it. The course's
``nbgrader_config.py`` loads this module into every kernel nbgrader starts (autograde,
validate, the Validate button, ``cnncourse.classgrade``) with
``--IPKernelApp.extensions=cnncourse.grader.stderr``: the kernel's ``sys.stderr`` becomes its
``sys.stdout``, so warnings and ``print(..., file=sys.stderr)`` stay visible in the cell's
output, as stdout, and cost no point. An exception is not a stream: it still fails its cell.
Kernels started by JupyterLab for students are untouched.
"""

from __future__ import annotations

import sys
from typing import Any


def route_stderr_to_stdout() -> bool:
    """Make ``sys.stderr`` this process's ``sys.stdout``; True when it was not already."""
    if sys.stderr is sys.stdout:
        return False
    sys.stderr = sys.stdout
    return True


def load_ipython_extension(ipython: Any) -> None:
    """IPython's entry point (``%load_ext cnncourse.grader.stderr`` or ``extensions=``)."""
    route_stderr_to_stdout()
