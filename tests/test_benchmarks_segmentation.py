"""Smoke test of the lesson 09 segmentation benchmark: tiny generated data, one epoch each.

Results go to tmp_path; nothing asserts on timings or on the (meaningless) quick scores.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import segmentation


def test_segmentation_quick_run_writes_both_recipes_and_the_load(tmp_path: Path) -> None:
    assert segmentation.main(["--quick", "--results-dir", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "segmentation.json").read_text())
    recipes = [row[1] for row in record["rows"]]
    assert recipes == ["Otsu threshold", "plain", "improved"]
    assert all(0.0 <= float(row[2]) <= 1.0 for row in record["rows"])
    assert record["extra"]["quick"] is True
    text = (tmp_path / "segmentation.md").read_text()
    assert "Quick smoke run" in text and "Load average" in text
