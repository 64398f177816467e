"""The **bytecode** of what the lessons' kernels import, compiled once at set-up.

Python caches each module's compiled code next to its source (``__pycache__``) the first time
it imports the module, if it may write there. A sandboxed kernel may not: the environment is
read-only inside the sandbox, so in a new environment every sandboxed kernel and zygote compiled
again each module that no earlier, unsandboxed process had imported. Beyond what ``make setup``
already imported (TensorFlow, Keras and the tools), a lesson's kernel imports about 390 modules
(15 MB of source): debugpy's, which ipykernel loads at every start, scikit-image, scikit-learn,
ipywidgets (through tqdm.auto), Pillow, imageio...

:func:`compile_in_kernel` starts one ordinary kernel, as a student's notebook would, and
imports there every module that the lessons import (:func:`lesson_imports`), so that all of it
is compiled once, before any grader or test runs. ``make setup`` runs it
(``python -m cnncourse.grader.bytecode course/*/*.ipynb``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

from cnncourse.grader import warm


def lesson_imports(notebooks: Iterable[Path]) -> list[str]:
    """Every module the notebooks' own cells import at their top level
    (:func:`cnncourse.grader.warm.lesson_imports`), each once, in order of first appearance.

    Raises:
        ValueError: naming a notebook that cannot be read.
    """
    names: dict[str, None] = {}
    for path in notebooks:
        try:
            nb = nbformat.read(str(path), as_version=4)
        except (OSError, ValueError) as problem:
            raise ValueError(f"cannot read the notebook {path}: {problem}") from None
        names.update(dict.fromkeys(warm.lesson_imports(nb)))
    return list(names)


def compile_in_kernel(names: list[str], timeout: float = 600) -> int:
    """Start an ordinary kernel (this environment's ``python3``), import ``names`` there with
    :func:`cnncourse.grader.warm.preload` (names that are not modules, or fail, are skipped),
    and shut it down. Returns how many modules the kernel had loaded.

    Raises:
        RuntimeError: when the kernel does not start, or the import cell fails.
    """
    import subprocess

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    source = f"from cnncourse.grader.warm import preload\nprint(preload({names!r}))"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3")
    try:
        client.execute(stderr=subprocess.DEVNULL)  # TensorFlow's log lines; errors come back
    except (CellExecutionError, RuntimeError, TimeoutError) as problem:
        raise RuntimeError(f"the kernel could not import the lessons' modules: {problem}") from None
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout")
    last = text.strip().splitlines()[-1:]  # preload's count comes last, after any import's print
    return int(last[0]) if last and last[0].isdigit() else 0


def main(argv: list[str]) -> int:
    """``python -m cnncourse.grader.bytecode NOTEBOOK...``: compile what the notebooks' kernels
    import. A failure is reported and returns 0: the bytecode only saves time, and set-up goes
    on without it."""
    if argv[:1] in (["-h"], ["--help"]):
        print("usage: python -m cnncourse.grader.bytecode NOTEBOOK...", file=sys.stderr)
        return 0
    if not argv:  # a repository without lessons yet (make setup passes course/*/*.ipynb)
        print("bytecode: no notebook given, nothing to compile", file=sys.stderr)
        return 0
    try:
        names = lesson_imports(Path(arg) for arg in argv)
        loaded = compile_in_kernel(names)
    except (ValueError, RuntimeError) as problem:
        print(f"bytecode: not compiled ahead ({problem}); kernels compile it as they go",
              file=sys.stderr)  # fmt: skip
        return 0
    print(f"bytecode: one kernel imported {len(names)} names of {len(argv)} notebooks "
          f"({loaded} modules loaded)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
