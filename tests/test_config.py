"""The one fast/cpu/full switch."""

from __future__ import annotations

import os

import pytest

from cnncourse import config


def test_mode_reads_the_environment_variable(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for mode in ("fast", "cpu", "full"):
        monkeypatch.setenv("CNN_COURSE_MODE", mode.upper())
        assert config.mode() == mode


def test_nbgrader_execution_always_means_fast(monkeypatch):
    monkeypatch.setenv("CNN_COURSE_MODE", "full")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert config.mode() == "fast"
    assert config.is_fast()
    assert "NBGRADER_EXECUTION" in config.describe()


def test_auto_mode_is_cpu_without_a_gpu(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("CNN_COURSE_MODE", "auto")
    monkeypatch.setattr("cnncourse.device.gpu_count", lambda: 0)
    assert config.mode() == "cpu"
    monkeypatch.setattr("cnncourse.device.gpu_count", lambda: 2)
    assert config.mode() == "full"


def test_unknown_mode_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("CNN_COURSE_MODE", "turbo")
    with pytest.raises(ValueError, match="fast, cpu, full"):
        config.mode()


def test_pick_returns_the_value_of_the_current_mode(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("CNN_COURSE_MODE", "cpu")
    assert config.pick(fast=1, cpu=2, full=3) == 2
    assert "minutes" in config.describe()


def test_quiet_tensorflow_keeps_values_already_set(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    config.quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1"


def test_quiet_tensorflow_hides_only_the_libraries_deprecation_notices():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("always")
        config.quiet_tensorflow()
        for module in ("keras.src.layers", "tensorflow.python.ops", "__main__"):
            warnings.warn_explicit("old", DeprecationWarning, "x.py", 1, module=module)
    assert [str(w.message) for w in caught if w.filename == "x.py"] == ["old"]
