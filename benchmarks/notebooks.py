"""Every master notebook executed top to bottom: wall time and the kernel's peak memory.

python -m benchmarks.notebooks                       # fast (3 runs each) and cpu (1 run each)
python -m benchmarks.notebooks --modes fast --lessons 00-getting-started 03-conv2d --repeats 5

Each notebook runs with nbclient in a fresh kernel (a separate process, as Jupyter runs it),
in a temporary copy of its folder, with ``CNN_COURSE_MODE`` set to the mode. The wall time
covers the kernel's start, every cell and the shutdown. Peak memory is the kernel process's
own high-water mark of resident memory (``VmHWM`` in ``/proc/<kernel pid>/status``), read
after every cell while the kernel is alive; the parent (this script) is not counted.

Targets (issue 8): the whole course in fast mode under 5 minutes; no notebook above 2 GiB in
fast mode or 8 GiB in cpu mode.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS, ROOT, write_result

GIB = 2**30
COURSE_TARGET_S = {"fast": 300.0}  # the whole course, summed over its notebooks
MEMORY_LIMIT_BYTES = {"fast": 2 * GIB, "cpu": 8 * GIB, "full": None}
DEFAULT_REPEATS = {"fast": 3, "cpu": 1, "full": 1}
DEFAULT_TIMEOUT_S = {"fast": 600, "cpu": 3600, "full": 7200}


def kernel_peak_bytes(pid: int) -> int:
    """The peak resident memory (VmHWM) of process ``pid`` in bytes; 0 when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # the kernel reports kB
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_notebook(
    path: str | os.PathLike[str],
    mode: str,
    timeout: int = 600,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Execute the notebook at ``path`` top to bottom in a fresh kernel, in mode ``mode``.

    Runs in a temporary copy of the notebook's folder (nothing is written next to the
    master). Returns ``{"status", "seconds", "peak_bytes", "peak_cell", "kernel_start_s",
    "slowest_cell", "slowest_cell_s", "error"}`` (``peak_cell``: the cell that raised the peak
    the most); ``status`` is ``"ok"``, ``"failed"`` (a cell raised),
    ``"timed_out"`` or ``"crashed"`` (the kernel died). Never raises for a notebook's fault.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = nbformat.read(os.fspath(path), as_version=4)
    kernel_env = dict(os.environ if env is None else env)
    kernel_env.pop("NBGRADER_EXECUTION", None)  # that would force fast mode
    kernel_env["CNN_COURSE_MODE"] = mode
    result: dict[str, Any] = {
        "status": "ok",
        "seconds": 0.0,
        "peak_bytes": 0,
        "kernel_start_s": 0.0,
        "slowest_cell": None,
        "slowest_cell_s": 0.0,
        "peak_cell": None,
        "error": "",
    }
    state: dict[str, Any] = {
        "pid": None,
        "cell_start": 0.0,
        "first_cell": None,
        "cell": None,
        "largest_rise": 0,
    }

    def read_peak() -> None:
        if state["pid"] is None and client.km is not None:
            process = getattr(getattr(client.km, "provisioner", None), "process", None)
            state["pid"] = getattr(process, "pid", None)
        if state["pid"] is not None:  # VmHWM only grows: the last reading is the peak
            peak = kernel_peak_bytes(state["pid"])
            if peak - result["peak_bytes"] > state["largest_rise"]:
                state["largest_rise"], result["peak_cell"] = (
                    peak - result["peak_bytes"],
                    state["cell"],
                )
            result["peak_bytes"] = max(result["peak_bytes"], peak)

    def on_cell_start(cell: Any, cell_index: int) -> None:
        now = time.perf_counter()
        if state["first_cell"] is None:
            state["first_cell"] = now
        state["cell_start"], state["cell"] = now, cell_index

    def on_cell_executed(cell: Any, cell_index: int, execute_reply: Any) -> None:
        took = time.perf_counter() - state["cell_start"]
        if took > result["slowest_cell_s"]:
            result["slowest_cell"], result["slowest_cell_s"] = cell_index, round(took, 2)
        read_peak()

    with tempfile.TemporaryDirectory(prefix="cnncourse-nb-") as work:
        folder = Path(work) / path.parent.name
        shutil.copytree(path.parent, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
            on_cell_start=on_cell_start,
            on_cell_executed=on_cell_executed,
            on_notebook_complete=lambda notebook: read_peak(),
        )
        start = time.perf_counter()
        try:
            client.execute(env=kernel_env)
        except CellTimeoutError as problem:
            result["status"], result["error"] = "timed_out", str(problem)[:300]
        except DeadKernelError as problem:
            result["status"], result["error"] = "crashed", str(problem)[:300]
        except CellExecutionError as problem:
            lines = [line for line in str(problem).splitlines() if line.strip()]
            result["status"], result["error"] = "failed", (lines[-1] if lines else "")[:300]
        except Exception as problem:  # the kernel did not start, and the like
            result["status"], result["error"] = "error", f"{type(problem).__name__}: {problem}"
        result["seconds"] = round(time.perf_counter() - start, 2)
        if state["first_cell"] is not None:
            result["kernel_start_s"] = round(state["first_cell"] - start, 2)
    return result


def benchmark_lesson(path: Path, mode: str, repeats: int, timeout: int) -> dict[str, Any]:
    """Run one notebook ``repeats`` times; the median time, the largest peak, every run."""
    runs = [run_notebook(path, mode, timeout) for _ in range(repeats)]
    failed = [r for r in runs if r["status"] != "ok"]
    slowest = max(runs, key=lambda r: r["slowest_cell_s"])
    return {
        "lesson": path.parent.name,
        "mode": mode,
        "status": failed[0]["status"] if failed else "ok",
        "error": failed[0]["error"] if failed else "",
        "seconds": round(statistics.median(r["seconds"] for r in runs), 2),
        "kernel_start_s": round(statistics.median(r["kernel_start_s"] for r in runs), 2),
        "peak_bytes": max(r["peak_bytes"] for r in runs),
        "peak_cell": max(runs, key=lambda r: r["peak_bytes"])["peak_cell"],
        "slowest_cell": slowest["slowest_cell"],
        "slowest_cell_s": slowest["slowest_cell_s"],
        "runs": runs,
    }


def stored_entries(path: Path, skip_modes: list[str]) -> tuple[list[dict[str, Any]], str]:
    """The entries of an earlier results file whose mode is not in ``skip_modes``, and that
    run's machine line; ``([], "")`` when there is no such file."""
    import json

    from benchmarks.common import describe_machine

    if not path.is_file():
        return [], ""
    record = json.loads(path.read_text())
    entries = [e for e in record.get("extra", {}).get("entries", []) if e["mode"] not in skip_modes]
    for entry in entries:
        entry.setdefault("peak_cell", None)
        if not record.get("extra", {}).get("peak_cell_is_largest_rise"):
            entry["peak_cell"] = None  # an older run: it recorded another cell
    return entries, describe_machine(record.get("machine", {}))


def summarize(entries: list[dict[str, Any]]) -> tuple[list[list[Any]], str]:
    """The table rows and the notes (targets met or missed) for the measured entries."""
    rows = []
    for e in entries:
        limit = MEMORY_LIMIT_BYTES.get(e["mode"])
        within = "—" if limit is None else ("yes" if e["peak_bytes"] <= limit else "**no**")
        rows.append(
            [
                e["lesson"],
                e["mode"],
                e["status"] if e["status"] == "ok" else f"**{e['status']}**",
                f"{e['seconds']:.1f}",
                f"{e['kernel_start_s']:.1f}",
                f"{e['peak_bytes'] / GIB:.2f}"
                + (f" (cell {e['peak_cell']})" if e.get("peak_cell") is not None else ""),
                within,
                f"{e['slowest_cell']} ({e['slowest_cell_s']:.1f} s)",
            ]
        )
    notes = []
    for mode in dict.fromkeys(e["mode"] for e in entries):
        mine = [e for e in entries if e["mode"] == mode]
        total = sum(e["seconds"] for e in mine)
        target = COURSE_TARGET_S.get(mode)
        count = f"{len(mine)} notebook{'s' * (len(mine) != 1)}"
        line = f"**{mode}**: {count} in {total:.0f} s ({total / 60:.1f} min) in all"
        if target is not None:
            verdict = (
                "met" if total <= target and all(e["status"] == "ok" for e in mine) else "missed"
            )
            line += f"; target for the whole course {target / 60:.0f} min: **{verdict}**"
        limit = MEMORY_LIMIT_BYTES.get(mode)
        if limit is not None:
            over = [e["lesson"] for e in mine if e["peak_bytes"] > limit]
            peak = max(e["peak_bytes"] for e in mine) / GIB
            line += f"; largest kernel peak {peak:.2f} GiB vs the {limit / GIB:.0f} GiB limit: " + (
                f"**over: {', '.join(over)}**" if over else "**met**"
            )
        failed = [
            f"{e['lesson']} ({e['status']}: {e['error'][:120]})"
            for e in mine
            if e["status"] != "ok"
        ]
        if failed:
            line += "; not ok: " + "; ".join(failed)
        notes.append(line + ".")
    notes.append(
        "Each notebook runs top to bottom with nbclient in a fresh kernel (its own process); time "
        "is the median wall time over the runs (kernel start, every cell, shutdown; `kernel start` "
        "is the time to the first cell). Peak is the kernel process's VmHWM (resident high-water "
        "mark), the largest over the runs, with the index of the cell that raised it the most. "
        "`slowest cell` is the index of the code cell that took longest. Run: "
        "`python -m benchmarks.notebooks` (or `make bench ONLY=notebooks`)."
    )
    return rows, "\n\n".join(notes)


COLUMNS = [
    "lesson",
    "mode",
    "status",
    "time (s)",
    "kernel start (s)",
    "peak kernel memory, GiB (cell that raised it most)",
    "within limit",
    "slowest cell",
]


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module's docstring."""
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.notebooks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--modes", default="fast,cpu", help="comma-separated: fast,cpu,full")
    parser.add_argument("--lessons", nargs="+", default=None, help="default: every lesson")
    parser.add_argument("--repeats", type=int, default=None, help="runs per notebook (median)")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell")
    parser.add_argument("--course", type=Path, default=ROOT, help="the repository root")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the table goes")
    parser.add_argument("--name", default="notebooks", help="results/NAME.{json,md}")
    parser.add_argument(
        "--keep-other-modes",
        action="store_true",
        help="keep the stored results of the modes not run now (say, a slow cpu run)",
    )
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in DEFAULT_REPEATS]
    if bad:
        parser.error(f"unknown mode(s) {bad}; use fast, cpu or full, e.g. --modes fast,cpu")
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    solutions = args.course / "solutions"
    known = sorted(p.parent.name for p in solutions.glob("*/*.ipynb") if p.stem == p.parent.name)
    lessons = args.lessons or known
    unknown = [lesson for lesson in lessons if lesson not in known]
    if unknown:
        parser.error(f"unknown lesson(s) {unknown}; the course at {args.course} has {known}")
    entries = []
    for mode in modes:
        repeats = args.repeats or DEFAULT_REPEATS[mode]
        timeout = args.timeout or DEFAULT_TIMEOUT_S[mode]
        for lesson in lessons:
            entry = benchmark_lesson(solutions / lesson / f"{lesson}.ipynb", mode, repeats, timeout)
            entries.append(entry)
            print(
                f"{mode:5} {lesson:28} {entry['status']:9} {entry['seconds']:7.1f} s  "
                f"peak {entry['peak_bytes'] / GIB:.2f} GiB  slowest cell {entry['slowest_cell']} "
                f"({entry['slowest_cell_s']:.1f} s)",
                flush=True,
            )
    kept, kept_from = [], ""
    if args.keep_other_modes:
        kept, kept_from = stored_entries(args.results / f"{args.name}.json", modes)
    rows, notes = summarize(kept + entries)
    notes += f"\n\nLoad average (1, 5, 15 min) when this run started: {load_at_start}."
    if kept:
        modes_kept = ", ".join(dict.fromkeys(e["mode"] for e in kept))
        notes += f"\n\nThe {modes_kept} rows are kept from an earlier run ({kept_from})."
    path = write_result(
        args.name,
        "Notebooks executed top to bottom",
        COLUMNS,
        rows,
        notes,
        extra={"entries": kept + entries, "peak_cell_is_largest_rise": True},
        results_dir=args.results,
    )
    print(f"wrote {path}")
    return 0 if all(e["status"] == "ok" for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
