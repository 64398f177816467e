"""Benchmarks: scripts that measure what students and instructors wait for.

Run them all with ``make bench`` (or ``python -m benchmarks``); each writes a table under
``benchmarks/results/`` and the tables of ``docs/benchmarks.md`` are rebuilt from them.
Timings are medians of several runs, and comparisons are ratios measured side by side in one
run, because the machines these run on are shared and noisy. Nothing here is a test: targets are
reported (met / missed), never asserted.
"""
