"""The fork-bomb watch (cnncourse.grader.forkbomb): it ends a uid's processes once they fill a
quarter of its process limit on consecutive checks, and only then. A real bomb in a real
sandbox is tests/test_sandbox.py's."""

from __future__ import annotations

import os
import threading

import pytest

from cnncourse.grader import forkbomb


def watched(counts: list[int], limit: int = 40, rounds: int = 2) -> tuple[forkbomb.Watch, list]:
    """A watch of uid 1234 whose checks find ``counts`` in turn (then 0), run until it ends
    the uid or has used every count; and the uids it ended."""
    ended: list[int] = []
    used = threading.Event()
    queue = list(counts)

    def count(uid: int) -> int:
        assert uid == 1234
        if not queue:
            used.set()
            return 0
        return queue.pop(0)

    def end(uid: int) -> int:
        ended.append(uid)
        used.set()
        return 1

    watch = forkbomb.Watch(1234, limit, end, count=count, interval=0.001, rounds=rounds).start()
    assert used.wait(10), "the watch stopped checking"
    watch.stop()
    return watch, ended


def test_processes_filling_a_quarter_of_the_limit_twice_in_a_row_are_ended_and_named():
    watch, ended = watched([3, 12, 4, 10, 11, 2])
    assert ended == [1234]
    assert watch.ended.startswith(forkbomb.ENDED)
    assert "11 processes" in watch.ended and "(40 processes and threads)" in watch.ended
    assert "fork bomb" in watch.ended


def test_a_passing_peak_or_a_busy_kernel_is_left_alone():
    watch, ended = watched([1, 12, 3, 9, 9, 30, 1, 2])
    assert ended == [] and watch.ended == ""


def test_one_round_is_enough_when_asked():
    _, ended = watched([1, 10], rounds=1)
    assert ended == [1234]


def test_a_stopped_watch_ends_nothing():
    ended: list[int] = []
    watch = forkbomb.Watch(1234, 40, ended.append, count=lambda uid: 40, interval=60)
    watch.start().stop()
    assert ended == [] and watch.ended == ""


@pytest.mark.parametrize(
    ("limit", "interval", "rounds", "wrong"),
    [(3, 0.25, 2, "limit=3"), (40, 0, 2, "interval=0"), (40, 0.25, 0, "rounds=0")],
)
def test_bad_settings_are_refused_by_name(limit, interval, rounds, wrong):
    with pytest.raises(ValueError, match=f"Watch needs limit >= 4.*{wrong}"):
        forkbomb.Watch(1234, limit, lambda uid: 0, interval=interval, rounds=rounds)


def test_processes_of_counts_this_process_under_its_uid():
    assert forkbomb.processes_of(os.getuid()) >= 1
    assert forkbomb.processes_of(2**31 - 7) == 0  # no process runs as an unused uid
