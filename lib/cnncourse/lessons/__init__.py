"""Per-lesson test data and helpers for the visible test cells (never a solution)."""
