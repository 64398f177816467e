"""Ending a fork bomb at once: a watch on a sandboxed kernel's uid.

The sandbox's process limit (``RLIMIT_NPROC``) stops a fork bomb from taking the machine, but
not from spinning: its hundreds of processes (copies of the kernel) keep both cores busy until
the cell's timeout ends the kernel, and the kernel itself crawls among them. :class:`Watch`
counts the processes of the kernel's uid four times a second; when they fill a quarter of the
limit twice in a row (no graded kernel runs that many processes: by default at least 64, or
four per core; TensorFlow's threads are threads, not processes), it ends every process of the
uid, kernel included, and says why (:attr:`Watch.ended`). The grader then reads a dead
kernel, with that reason, well before the timeout.

Only where the kernel runs as a uid of its own (the grader is root): otherwise the uid is the
grader's, and the limit alone holds. A process that makes itself non-dumpable (its ``/proc``
entry then belongs to root) is not counted: such a bomb lasts until the timeout, as before.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

ENDED = "the sandbox ended the kernel"  # how the reason begins (the job flags it ``blocked``)


def processes_of(uid: int) -> int:
    """How many processes (not threads) run as ``uid``: each ``/proc/<pid>`` folder belongs to
    its process's uid."""
    count = 0
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                count += entry.stat().st_uid == uid
            except OSError:  # it ended meanwhile
                continue
    return count


class Watch:
    """Watch ``uid`` from :meth:`start` to :meth:`stop` (a daemon thread); once its processes
    number ``limit // 4`` or more on ``rounds`` checks in a row, ``interval`` seconds apart,
    call ``end(uid)`` and set :attr:`ended` to the reason.

    ``count`` and ``end`` are the functions that count and end a uid's processes
    (:func:`processes_of` and ``sandbox.end_processes`` by default; tests give others).
    """

    def __init__(
        self,
        uid: int,
        limit: int,
        end: Callable[[int], int],
        count: Callable[[int], int] = processes_of,
        interval: float = 0.25,
        rounds: int = 2,
    ) -> None:
        if limit < 4 or interval <= 0 or rounds < 1:
            raise ValueError(
                f"Watch needs limit >= 4, interval > 0 and rounds >= 1; got limit={limit}, "
                f"interval={interval}, rounds={rounds}"
            )
        self.uid, self.limit, self.threshold = uid, limit, limit // 4
        self.end, self.count, self.interval, self.rounds = end, count, interval, rounds
        self.ended = ""  # why the watch ended the kernel ('' while it has not)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"fork-bomb watch {uid}")
        self._thread.daemon = True

    def start(self) -> Watch:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (at once; waits for a check under way)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        over = 0
        while not self._stop.wait(self.interval):
            found = self.count(self.uid)
            over = over + 1 if found >= self.threshold else 0
            if over >= self.rounds:
                self.ended = (
                    f"{ENDED}: {found} processes filled its process limit "
                    f"({self.limit} processes and threads), a fork bomb"
                )
                self.end(self.uid)
                return
