"""``python -m cnncourse.classgrade``: grade a whole class with nbgrader, or one submission
(``job``), or check a notebook before handing it in (``validate``).

This module is the documented name of the command; the grader itself is the package
:mod:`cnncourse.grader` (one module per concern: ``discover``, ``submission``, ``job``,
``execute``, ``guard``, ``runner``, ``cache``, ``report``, ``result``, ``validate``, ``cli``).
See ``docs/grader.md``. ``grade_class`` (a whole class) and ``grade_submission`` (one job, for a
task queue) are re-exported here for scripts that call them by this name.
"""

from __future__ import annotations

import sys

from cnncourse.grader.batch import grade_class
from cnncourse.grader.cli import main, skip_unused_imports
from cnncourse.grader.job import grade_submission

__all__ = ["grade_class", "grade_submission", "main"]


if __name__ == "__main__":
    skip_unused_imports()
    sys.exit(main())
