"""Shared plumbing for the benchmark scripts: timing, machine facts, result tables."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PAGE = ROOT / "docs" / "benchmarks.md"  # the page whose tables `make bench` rebuilds
START_MARK = "<!-- benchmarks:start -->"
END_MARK = "<!-- benchmarks:end -->"


def median_time(function: Callable[[], Any], repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time in seconds of ``function()`` over ``repeats`` runs after ``warmup``."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> dict[str, Any]:
    """Facts about the machine a benchmark ran on (CPU, cores, memory, load, GPU, versions)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    gpus = os.environ.get("CNN_COURSE_BENCH_GPU", "")  # filled in by scripts that import TF
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "load_average_1_5_15": load,
        "gpu": gpus or "none",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub markdown table."""
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row {row!r} has {len(row)} cells, the table has {len(columns)}")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(
    name: str,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    notes: str = "",
    extra: dict[str, Any] | None = None,
    results_dir: Path = RESULTS,
) -> Path:
    """Write ``results/NAME.json`` (machine-readable) and ``results/NAME.md`` (the table).

    ``notes`` is markdown shown under the table: targets met or missed, how it was measured.
    Returns the path of the markdown file.
    """
    results_dir.mkdir(parents=True, exist_ok=True)
    facts = machine()
    record = {
        "name": name,
        "title": title,
        "columns": list(columns),
        "rows": [list(row) for row in rows],
        "notes": notes,
        "machine": facts,
        "extra": extra or {},
    }
    (results_dir / f"{name}.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    text = (
        f"### {title}\n\n{format_table(columns, rows)}\n\n"
        + (f"{notes.strip()}\n\n" if notes.strip() else "")
        + f"_Machine: {describe_machine(facts)}._\n"
    )
    path = results_dir / f"{name}.md"
    path.write_text(text)
    return path


def describe_machine(facts: dict[str, Any]) -> str:
    """One line for a results table: CPU, cores, memory, GPU, load, date."""
    load = facts.get("load_average_1_5_15")
    return (
        f"{facts.get('cpu')}, {facts.get('cores')} cores, {facts.get('memory_gib')} GiB, "
        f"GPU: {facts.get('gpu')}, load average {load} when written, {facts.get('date')}"
    )


ORDER = ("conv", "notebooks", "autograde", "autograde-course", "training", "segmentation")


def update_page(page: Path = PAGE, results_dir: Path = RESULTS) -> bool:
    """Replace the text between the benchmark markers of ``page`` (docs/benchmarks.md) by the
    stored tables.

    Returns True when the page changed. Raises ValueError when the markers are missing.
    """
    text = page.read_text()
    if START_MARK not in text or END_MARK not in text:
        raise ValueError(
            f"{page} has no {START_MARK} ... {END_MARK} section; add both markers where the "
            "benchmark tables should go"
        )
    names = [n for n in ORDER if (results_dir / f"{n}.md").exists()]
    names += sorted(
        p.stem for p in results_dir.glob("*.md") if p.stem not in ORDER and p.stem != "README"
    )
    body = "\n".join((results_dir / f"{n}.md").read_text() for n in names)
    if not body:
        body = "_No benchmark has been run yet: `make bench`._\n"
    head, rest = text.split(START_MARK, 1)
    _, tail = rest.split(END_MARK, 1)
    new = f"{head}{START_MARK}\n\n{body}\n{END_MARK}{tail}"
    if new != text:
        page.write_text(new)
        return True
    return False
