"""What grading one submission produced: the ``Result`` dataclass, its ``Status`` and ``Flag``s,
and its JSON form (the job's ``result.json``, the batch's cache)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Status(StrEnum):
    """How grading a submission ended."""

    OK = "ok"  # graded; flags may still ask for attention
    TIMED_OUT = "timed_out"  # a cell ran past the per-cell timeout, or the job past its limit
    MEMORY_EXCEEDED = "memory_exceeded"  # a cell hit the memory limit (MemoryError)
    CRASHED = "crashed"  # the kernel died (os._exit, a segfault, the OOM killer)
    UNREADABLE = "unreadable"  # empty file, malformed JSON, not a notebook
    MISSING = "missing"  # a student's folder without the expected notebook
    UNRECOGNIZED = "unrecognized"  # a file that is no lesson's submission
    ERROR = "error"  # the grader itself failed; the message says why


# Statuses of rows that were never graded (no scores).
UNGRADED = (Status.MISSING, Status.UNREADABLE, Status.UNRECOGNIZED)


class Flag(StrEnum):
    """Something about a graded submission that an instructor should look at."""

    TAMPERED = "tampered"  # cells, metadata or the grader's helpers were changed
    WRONG_KERNEL = "wrong_kernel"  # the notebook asked for another kernel
    HUGE_OUTPUT = "huge_output"  # a huge file, or output cut while graded
    SYS_EXIT = "sys_exit"  # the code called sys.exit
    BLOCKED = "blocked"  # the OS sandbox refused it something (a file, the network, processes)


@dataclass
class CellScore:
    """The points of one graded test cell."""

    points: float = 0.0
    max: float = 0.0


@dataclass
class Result:
    """The grade of one submission (or why there is none).

    ``tests`` holds the autograded test cells; ``manual`` the maximum points of the manually
    graded answer cells (written questions), whose points the instructor gives.
    """

    student: str
    lesson: str
    source: str
    status: Status = Status.ERROR
    flags: list[Flag] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    tests: dict[str, CellScore] = field(default_factory=dict)
    manual: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    max: float = 0.0
    feedback: str | None = None
    feedback_file: str | None = None
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    isolation: str = "none"
    cached: bool = False

    def flag(self, flag: Flag | str, message: str | None = None) -> None:
        """Add a flag once (and a message, if given)."""
        flag = Flag(flag)
        if flag not in self.flags:
            self.flags.append(flag)
        if message:
            self.messages.append(message)

    @property
    def manual_max(self) -> float:
        """Points that the instructor grades by hand."""
        return float(sum(self.manual.values()))

    @property
    def needs_manual_grading(self) -> bool:
        """True when the lesson has written answers and the submission was graded."""
        return bool(self.manual) and self.status not in UNGRADED

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (enums as their values)."""
        data = asdict(self)
        data["status"] = self.status.value
        data["flags"] = [f.value for f in self.flags]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """The inverse of :meth:`to_dict`; unknown keys are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["status"] = Status(known.get("status", "error"))
        known["flags"] = [Flag(f) for f in known.get("flags", [])]
        known["tests"] = {t: CellScore(**s) for t, s in known.get("tests", {}).items()}
        return cls(**known)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls.from_dict(json.loads(text))

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write ``result.json`` atomically (a reader never sees half a file)."""
        path = Path(path)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(self.to_json())
        os.replace(temporary, path)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Result:
        return cls.from_json(Path(path).read_text())
