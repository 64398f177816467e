"""The course's one switch: how big the training runs are.

Every notebook reads the mode from here and nowhere else.

``CNN_COURSE_MODE`` (environment variable) picks it:

* ``fast`` -- seconds: a few batches, tiny models where a lesson allows it. Used by CI and by
  nbgrader, which sets ``NBGRADER_EXECUTION`` while it validates or autogrades; that always
  means ``fast``, whatever else is set. Fast mode never touches the network.
* ``cpu`` -- minutes on a laptop CPU: real training on a subset, said plainly in the notebook.
* ``full`` -- the lesson's full data and model size, meant for a GPU.
* unset or ``auto`` -- ``full`` when TensorFlow sees a GPU, ``cpu`` otherwise.
"""

from __future__ import annotations

import os
import warnings
from typing import TypeVar

MODE_VARIABLE = "CNN_COURSE_MODE"
MODES = ("fast", "cpu", "full")

T = TypeVar("T")


def mode() -> str:
    """Return the current mode: ``"fast"``, ``"cpu"`` or ``"full"``.

    Raises:
        ValueError: if ``CNN_COURSE_MODE`` holds something other than a known mode.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        return "fast"
    raw = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if raw in MODES:
        return raw
    if raw in ("", "auto"):
        from cnncourse.device import gpu_count

        return "full" if gpu_count() > 0 else "cpu"
    raise ValueError(
        f"{MODE_VARIABLE}={raw!r} is not a mode this course knows. "
        f"Set it to one of {', '.join(MODES)} or 'auto' (or unset it)."
    )


def is_fast() -> bool:
    """True in fast mode (CI, autograding)."""
    return mode() == "fast"


def pick(*, fast: T, cpu: T, full: T) -> T:
    """Return the value that belongs to the current mode.

    >>> import os; os.environ["CNN_COURSE_MODE"] = "fast"
    >>> pick(fast=1, cpu=3, full=20)
    1
    """
    return {"fast": fast, "cpu": cpu, "full": full}[mode()]


def describe() -> str:
    """One line saying which mode is on and what it changes."""
    current = mode()
    meaning = {
        "fast": "seconds per training cell: a few batches on tiny data (CI and autograding)",
        "cpu": "minutes per training cell: real training on a subset sized for a CPU",
        "full": "full data and full model size: expect a GPU",
    }[current]
    source = (
        "NBGRADER_EXECUTION is set"
        if os.environ.get("NBGRADER_EXECUTION")
        else f"{MODE_VARIABLE}={os.environ.get(MODE_VARIABLE, '') or 'auto'}"
    )
    return f"mode: {current} ({source}) -> {meaning}"


# Modules whose DeprecationWarnings and FutureWarnings quiet_tensorflow() hides.
LIBRARY_WARNINGS = r"(tensorflow|keras|tf_keras|absl|google|h5py|ml_dtypes|jax|optree)(\.|$)"


def quiet_tensorflow() -> None:
    """Configure TensorFlow's environment; call before the first ``import tensorflow``.

    * Silences TensorFlow's C++ log lines, which go to stderr (nbgrader gives a graded cell
      zero points for any stderr output, even when its asserts pass).
    * Turns on oneDNN's optimised CPU kernels (``TF_ENABLE_ONEDNN_OPTS=1``), which TensorFlow
      leaves off on some CPUs; they change float32 round-off slightly, so the course's
      tolerances allow for that.

    Values already set in the environment are kept. It warns when TensorFlow was imported
    before its logging was configured (by this function or by the environment).
    """
    import sys

    if "tensorflow" in sys.modules and "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
        warnings.warn(
            "TensorFlow was imported before cnncourse.config.quiet_tensorflow(); "
            "restart the kernel and run the setup cell first.",
            stacklevel=2,
        )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    # The deep-learning stack's own deprecation notices, about its own internals, are noise to a
    # student; those that the student's code triggers (attributed to it) still show.
    for category in (DeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category, module=LIBRARY_WARNINGS)
    warnings.filterwarnings("ignore", message=".*input_shape.*")
