"""Run every benchmark (or those named) and rebuild the tables of docs/benchmarks.md.

python -m benchmarks                 # all
python -m benchmarks conv notebooks  # some
"""

from __future__ import annotations

import importlib
import subprocess
import sys

from benchmarks.common import ORDER, PAGE, ROOT, update_page


def main(argv: list[str]) -> int:
    names = argv or list(ORDER)
    unknown = [n for n in names if n not in ORDER]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {', '.join(ORDER)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        importlib.import_module(f"benchmarks.{name}")  # fail early on a missing script
        print(f"== benchmark: {name}", flush=True)
        # each in its own process: TensorFlow's threads and memory don't leak between them
        if subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=ROOT).returncode:
            failed.append(name)
    changed = update_page()
    print(f"{PAGE.relative_to(ROOT)}: benchmark tables " + ("updated" if changed else "unchanged"))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
