"""Warm kernels: a job's kernel started before its notebook runs, the lesson's imports done.

Most of a fast-mode notebook's time is its kernel starting and importing the lesson's libraries
(TensorFlow alone takes seconds). A job prepared ahead of its turn (``runner.run_all``) starts
its kernel, sandboxed as autograding would start it, and imports there every module that the
lesson's own cells import (:func:`lesson_imports`, :func:`preload`). ``GuardedExecute`` then
takes that kernel (:data:`cnncourse.grader.execute.WARM`) instead of starting one. Each warm
kernel serves one notebook only, and no student code has run in it before: the guard is
installed before the first cell, as in a cold kernel.

:func:`preload` runs inside the kernel, so this module imports only the standard library at
its top.
"""

from __future__ import annotations

import ast
import importlib
import os
from pathlib import Path
from typing import Any

# Modules whose import reads the logging environment that cnncourse.config sets up first.
CONFIGURED_FIRST = ("tensorflow", "keras")
CONFIG_MODULE = "cnncourse.config"


def lesson_imports(nb: Any) -> list[str]:
    """The modules imported at the top level of the notebook's code cells that are not answer
    cells, in order (``from a import b`` gives ``a`` and, when it is one, the submodule
    ``a.b``). Cells that do not parse (magics) are skipped."""
    from cnncourse.grader.prune import parse

    names: list[str] = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("solution"):
            continue
        tree = parse(cell.source)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            names += [name for name in found if name not in names]
    return names


def shared_imports(master: Any, submission: Any) -> list[str]:
    """The lesson's imports (:func:`lesson_imports` of ``master``, in its order) that the
    submission's own non-answer cells import too: what its notebook will import anyway. A
    student who deleted the lesson's TensorFlow cells does not wait for TensorFlow, and no name
    that only the submission mentions is ever imported before its code runs."""
    wanted = set(lesson_imports(submission))
    return [name for name in lesson_imports(master) if name in wanted]


def preload(names: list[str]) -> str:
    """Import ``names`` in this process (the kernel); the environment that
    ``cnncourse.config.quiet_tensorflow`` sets comes first when the lesson imports it and
    TensorFlow. Names that are attributes rather than modules, or fail, are skipped; then
    inspect's index of module files is built. Returns how many modules are loaded, as text (a
    user expression's value)."""
    import inspect
    import sys

    if CONFIG_MODULE in names and any(n.split(".")[0] in CONFIGURED_FIRST for n in names):
        importlib.import_module(CONFIG_MODULE).quiet_tensorflow()
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # an attribute (`from numpy import pi`) or a broken import
            continue
    # IPython's tracebacks ask inspect which module each frame's file is; the first question
    # maps the file of every loaded module (0.2 s with TensorFlow loaded). Asked here, once:
    # kernels forked from this process format their first error without it.
    inspect.getmodule(compile("", "<preload>", "exec"))
    return str(len(sys.modules))


def start(
    master: Any,
    submission: Any,
    config: Any,
    kernel_cwd: Path,
    isolation: str,
    timeout: float = 120,
) -> tuple[Any, str]:
    """Start the kernel for the lesson of ``master`` as ``GuardedExecute`` would (the config's
    kernel arguments, the sandbox when ``isolation`` asks for it,
    ``NBGRADER_EXECUTION=autograde``, working folder ``kernel_cwd``), preload the
    :func:`shared_imports` of ``master`` and ``submission``, and return ``(kernel manager,
    isolation used)``. The caller shuts the kernel down (:func:`stop`).

    Raises:
        RuntimeError: when the kernel does not start or answer within ``timeout`` seconds.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbgrader.utils import setenv

    from cnncourse.grader import sandbox

    used = "none" if isolation == "none" else sandbox.resolve(isolation)[0]
    kernel_name = master.metadata.get("kernelspec", {}).get("name", "python3")
    if used == sandbox.BUBBLEWRAP:
        folder = os.path.join(os.path.dirname(os.path.abspath(kernel_cwd)), "sandbox")
        km = sandbox.SandboxedKernelManager(
            kernel_name=kernel_name, config=config, sandbox_folder=folder
        )
    else:
        km = AsyncKernelManager(kernel_name=kernel_name, config=config)
    arguments = list(config.GuardedExecute.get("extra_arguments", []) or []) or list(
        config.Execute.get("extra_arguments", []) or []
    )
    names = shared_imports(master, submission)
    call = f"__import__('{__name__}', None, None, ['preload']).preload({names!r})"

    async def boot() -> None:
        with setenv(NBGRADER_EXECUTION="autograde"):
            await km.start_kernel(extra_arguments=arguments, cwd=os.fspath(kernel_cwd))
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=timeout)
            msg_id = client.execute(
                "", silent=True, store_history=False, user_expressions={"warm": call}
            )
            while True:
                reply = await client.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            value = reply["content"].get("user_expressions", {}).get("warm", {})
            if value.get("status") != "ok":
                raise RuntimeError(f"preloading failed: {value.get('evalue', value)}")
        finally:
            client.stop_channels()

    try:
        run_sync(boot)()
    except Exception as failure:
        stop(km)
        raise RuntimeError(f"the warm kernel did not start: {failure}") from failure
    return km, used


def stop(km: Any) -> None:
    """Shut a warm kernel down (and, in the sandbox, end what it left running)."""
    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # already gone
        pass
