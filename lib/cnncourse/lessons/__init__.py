"""Per-lesson helpers for the graded tests and figures (no solutions live here)."""
