"""Student-facing assertions name the wrong value, the expected one and the likely cause."""

from __future__ import annotations

import numpy as np
import pytest

from cnncourse import checks


def test_check_equal_names_got_expected_and_likely_mistake():
    with pytest.raises(AssertionError, match=r"size\(5, 3\) is 2, expected 3") as error:
        checks.check_equal("size(5, 3)", 2, 3, hint="n - k + 1", likely={"off by one": 2})
    message = str(error.value)
    assert "size(5, 3) is 2, expected 3" in message
    assert "Likely cause: off by one" in message
    assert "Hint: n - k + 1" in message
    checks.check_equal("size(5, 3)", 3, 3)


def test_check_equal_likely_needs_the_same_type():
    with pytest.raises(AssertionError, match=r"f\(\) is 2.0, expected 3") as error:
        checks.check_equal("f()", 2.0, 3, likely={"int mistake": 2})
    assert "Likely cause" not in str(error.value)


class _EqualsEverything:
    """What a student might return to pass every comparison without computing anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class _SneakyInt(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class _SneakyInt64(np.int64):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class _SneakyShape(np.ndarray):
    @property
    def shape(self):
        return (_EqualsEverything(), _EqualsEverything())


@pytest.mark.parametrize(
    ("got", "message"),
    [
        (_EqualsEverything(), r"is a _EqualsEverything .*which the tests do not compare"),
        ((_EqualsEverything(), 3), r"is a _EqualsEverything .*return plain values"),
        ({"conv": _EqualsEverything()}, r"is a _EqualsEverything"),
        (_SneakyInt(3), r"f\(\) is 3, expected 7\."),
        ([_SneakyInt(3)], r"f\(\) is \[3\], expected 7\."),
        (_SneakyInt64(3), r"f\(\) is 3, expected 7\."),
    ],
)
def test_check_equal_compares_plain_values_not_objects_that_equal_everything(got, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_equal("f()", got, 7)


def test_check_equal_accepts_numpy_scalars_and_containers_of_plain_values():
    checks.check_equal("n", np.int64(3), 3)
    checks.check_equal("shape", (np.int64(2), 3.0), (2, 3))
    checks.check_equal("counts", {"conv": [1, np.int32(2)]}, {"conv": [1, 2]})
    checks.check_equal("names", {"a", "b"}, {"b", "a"})
    checks.check_equal("flag", np.True_, True)
    checks.check_equal("missing", None, None)


def test_check_shape_reads_the_arrays_own_shape():
    sneaky = np.zeros((2, 3)).view(_SneakyShape)
    with pytest.raises(AssertionError, match=r"x has shape \(2, 3\), expected \(4, 4\)\."):
        checks.check_shape("x", sneaky, (4, 4))


def test_check_close_reports_shape_and_first_wrong_entry():
    expected = np.arange(6.0).reshape(2, 3)
    with pytest.raises(AssertionError, match=r"has shape \(3, 2\), expected \(2, 3\)"):
        checks.check_close("conv(X)", expected.T, expected)
    wrong = expected.copy()
    wrong[1, 2] = 99
    with pytest.raises(AssertionError, match="differs from the expected result") as error:
        checks.check_close("conv(X)", wrong, expected)
    assert "1 of 6 entries" in str(error.value)
    assert "index (1, 2)" in str(error.value)
    checks.check_close("conv(X)", expected + 1e-9, expected)


def test_check_close_diagnoses_a_known_mistake():
    expected = np.array([1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match="Likely cause: flipped kernel"):
        checks.check_close(
            "conv1d(x, w)", expected[::-1], expected, likely={"flipped kernel": expected[::-1]}
        )


def test_check_close_rejects_non_arrays():
    with pytest.raises(AssertionError, match="should return a NumPy array, but it returned list"):
        checks.check_close("f()", [1, 2], np.array([1, 2]))
    with pytest.raises(AssertionError, match="returned NoneType"):
        checks.check_close("f()", None, np.array([1, 2]))


def test_check_shape_and_type():
    with pytest.raises(AssertionError, match="expected \\(2, 2\\)"):
        checks.check_shape("out", np.zeros((3, 3)), (2, 2))
    with pytest.raises(AssertionError, match="should be a NumPy array"):
        checks.check_shape("out", [[0]], (1, 1))
    with pytest.raises(AssertionError, match="should be int, but it is float"):
        checks.check_type("n", 2.0, int)
    checks.check_type("n", 2, (int, np.integer))


def test_check_raises_accepts_the_right_error_and_names_the_wrong_one():
    def bad():
        raise ValueError("kernel larger than input")

    checks.check_raises(bad, "conv(big kernel)", match="larger")
    with pytest.raises(AssertionError, match="does not mention 'channels'"):
        checks.check_raises(bad, "conv(big kernel)", match="channels")
    with pytest.raises(AssertionError, match="should raise ValueError, but it returned 3"):
        checks.check_raises(lambda: 3, "conv(big kernel)")
    with pytest.raises(AssertionError, match="it raised IndexError"):
        checks.check_raises(lambda: [][1], "conv(big kernel)")
