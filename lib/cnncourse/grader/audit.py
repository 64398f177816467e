"""The guard's audit hook (PEP 578): no new audit hooks, and no frame object for student code
while a graded test cell runs (a frame holds the test's local variables: its expected values).

Installed once per kernel by :func:`cnncourse.grader.guard.install`; an audit hook cannot be
removed. :func:`arm` before a test cell, :func:`disarm` after it (it answers with what was
refused). Standard library only: this runs inside the student's kernel.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

# While a graded test cell runs, student code may not reach a frame object (the test's local
# variables: its expected values). These audit events are the ways to one (PEP 578).
FRAME_EVENTS = frozenset(
    {"sys._getframe", "sys._current_frames", "gc.get_objects", "gc.get_referrers",
     "gc.get_referents"}
)  # fmt: skip
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
# Standard-library modules that hand frames on to whoever called them, and those of their
# functions that only format (file, line and name: no frame or local variable comes back).
FRAME_PROVIDERS = ("inspect", "traceback")
FORMATTERS = frozenset(
    {"format_exc", "print_exc", "format_exception", "print_exception", "format_tb", "print_tb",
     "extract_tb", "format_exception_only", "print_last"}
)  # fmt: skip

_state: dict[str, Any] = {}


def install(getframe: Callable[[int], Any], library_dirs: tuple[str, ...]) -> None:
    """Add the hook; ``getframe`` is the genuine ``sys._getframe``, ``library_dirs`` the folders
    of trusted code."""
    if _state:
        raise RuntimeError("the grader's audit hook is already installed")
    _state.update(
        installed=True, getframe=getframe, library_dirs=library_dirs, armed=False,
        auditing=False, reads=[], attempts=0,
    )  # fmt: skip
    sys.addaudithook(_audit)


def arm() -> None:
    """From now on (until :func:`disarm`), refuse student code a frame."""
    _state["armed"] = True


def disarm() -> list[str]:
    """Stop refusing; the problems seen since the last call (frames asked for, hooks added)."""
    _state["armed"] = False
    problems = [f"a test's frames were read ({r})" for r in _state.get("reads", [])[:3]]
    if _state.get("attempts"):
        problems.append("an audit hook was added (refused)")
    _state["reads"], _state["attempts"] = [], 0
    return problems


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Refuse new audit hooks once installed (they cannot be removed, and would run anywhere);
    while a test cell runs (armed), refuse student code a frame object."""
    if event == "sys.addaudithook" and _state.get("installed"):
        _state["attempts"] += 1
        raise RuntimeError("the grader does not allow audit hooks")
    if not _state.get("armed") or _state.get("auditing"):
        return
    if event in FRAME_EVENTS or (
        event == "object.__getattr__" and len(args) > 1 and args[1] in FRAME_ATTRIBUTES
    ):
        _state["auditing"] = True  # what follows raises audit events of its own
        try:
            where = _student_caller(_state["getframe"](1))
        finally:
            _state["auditing"] = False
        if where:
            what = event if event != "object.__getattr__" else f"the attribute {args[1]}"
            _state["reads"].append(f"{what} from {where}")
            raise RuntimeError("the grader does not let code read frames while a test runs")


def _student_caller(frame: Any) -> str:
    """Where the code that asked for a frame lives (``file:line``) when it is not library code,
    looking through the standard library's frame providers; '' for library code."""
    formatting = False
    while frame is not None:
        code = frame.f_code
        module = frame.f_globals.get("__name__", "")
        if module in FRAME_PROVIDERS and code.co_filename.startswith(_state["library_dirs"]):
            formatting = formatting or code.co_name in FORMATTERS
            frame = frame.f_back
            continue
        name = code.co_filename
        if formatting or name.startswith(_state["library_dirs"]) or name.startswith("<frozen "):
            return ""
        return f"{name}:{frame.f_lineno}"
    return ""
