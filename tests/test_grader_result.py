"""The grader's Result: typed statuses and flags, a JSON round trip, the cache's keys."""

from __future__ import annotations

import pytest

from cnncourse.grader import cache
from cnncourse.grader.result import CellScore, Flag, Result, Status


def sample() -> Result:
    result = Result("ann", "03-conv2d", "/in/ann.ipynb", status=Status.OK)
    result.tests = {"test_a": CellScore(2.0, 3.0), "test_b": CellScore(0.0, 4.0)}
    result.manual = {"q_why": 2.0}
    result.total, result.max = 2.0, 7.0
    result.flag(Flag.TAMPERED, "guard: numpy.allclose was changed")
    result.flag("tampered")
    return result


def test_result_round_trips_through_json(tmp_path):
    result = sample()
    result.write(tmp_path / "result.json")
    again = Result.read(tmp_path / "result.json")
    assert again == result
    assert again.status is Status.OK and again.flags == [Flag.TAMPERED]
    assert again.to_dict()["status"] == "ok" and again.to_dict()["max"] == 7.0


def test_flags_are_kept_once_and_unknown_ones_are_refused():
    result = sample()
    assert result.flags == [Flag.TAMPERED] and len(result.messages) == 1
    with pytest.raises(ValueError, match="not_a_flag"):
        result.flag("not_a_flag")


def test_manual_points_are_reported_apart():
    result = sample()
    assert (result.manual_max, result.needs_manual_grading) == (2.0, True)
    result.status = Status.MISSING
    assert not result.needs_manual_grading


def test_a_result_from_an_older_grader_is_not_reused(tmp_path):
    (tmp_path / "result.json").write_text('{"student": "ann", "status": "graded-ish"}')
    assert cache.load(tmp_path) is None


def test_cached_results_are_marked_and_errors_are_not_kept(tmp_path):
    cache.store(tmp_path, sample())
    assert cache.load(tmp_path).cached
    failed = Result("bo", "03-conv2d", "x")  # status error
    cache.store(tmp_path, failed)
    assert cache.load(tmp_path) is None


def test_the_cache_key_covers_the_grading_code():
    names = {p.name for p in cache.grading_code()}
    assert {"guard.py", "execute.py", "job.py", "report.html.j2", "checks.py"} <= names
    key = cache.cache_key(b"sub", b"master", b"config", "timeout=1")
    assert key != cache.cache_key(b"sub", b"master", b"config", "timeout=2")
    assert key != cache.cache_key(b"sub2", b"master", b"config", "timeout=1")
