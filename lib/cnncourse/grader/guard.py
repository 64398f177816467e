"""The in-kernel guard: snapshot what the tests rely on, restore it before each graded test cell.

Runs inside the student's kernel, reached through an execute request's ``user_expressions``
(IPython evaluates them with a plain ``eval``: no input or AST transformers on the way; see
``cnncourse.grader.execute`` and ``docs/grader.md``). Imports only the standard library until
:func:`install` is called, once, before any student code; :func:`restore`, before and after
each graded test cell, puts everything back and answers with the list of what it found changed,
signed (HMAC) with the key that :func:`install` returned, so that the grader can tell a genuine
answer from a fake guard's. Student code runs in this same process: a determined student can
read the key out of memory or patch what is not listed here; OS isolation limits the damage.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import os
import secrets
import sys
import types
from typing import Any

from cnncourse.grader import audit

# Names that ipykernel or IPython rebind in builtins on their own between cells.
VOLATILE_BUILTINS = frozenset({"input", "raw_input", "_", "__", "___", "__IPYTHON__"})
# Names of the user namespace that tests rely on: a shadow of one is removed for the test cell
# and put back after it (a student variable called ``list`` is a mistake, not an attack).
SHADOWS = (
    "isinstance", "type", "tuple", "list", "len", "range", "int", "float", "bool", "str",
    "repr", "abs", "all", "any", "zip", "AssertionError", "Exception", "ValueError",
    "TypeError", "np", "numpy", "checks",
)  # fmt: skip
SYS_HOOKS = ("excepthook", "displayhook", "stdout", "stderr", "breakpointhook")
SHELL_ATTRIBUTES = ("custom_exceptions", "CustomTB", "display_formatter", "events")
# Packages whose code may register IPython event callbacks on its own (the inline backend).
TRUSTED_CALLBACK_PACKAGES = ("matplotlib_inline", "IPython", "ipykernel")
# Frames that may sit between IPython's user_expressions and restore(): none but the
# expression's own ``<string>`` frame.
EXPRESSION_FILE = "<string>"
_state: dict[str, Any] = {}


def _package_dirs(names: tuple[str, ...]) -> tuple[str, ...]:
    """The folders of the importable packages ``names`` (those installed)."""
    dirs = []
    for name in names:
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name)
            except ImportError:
                continue
        if getattr(module, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(module.__file__)) + os.sep)
    return tuple(dirs)


def _guarded_modules(extra: list[str]) -> dict[str, types.ModuleType]:
    """The modules whose attributes are snapshotted: NumPy's, the checks, the lesson helpers."""
    import importlib

    import numpy  # noqa: F401 -- imported so that its submodules are in sys.modules

    for name in ["cnncourse.checks", *extra]:
        try:
            importlib.import_module(name)
        except Exception:  # a helper that fails to import is the test's problem, not ours
            continue
    prefixes = (
        "numpy", "cnncourse.checks", "cnncourse.lessons", "cnncourse.grader.guard",
        "cnncourse.grader.audit",
    )  # fmt: skip
    return {
        name: module
        for name, module in list(sys.modules.items())
        if isinstance(module, types.ModuleType)
        and any(name == p or name.startswith(p + ".") for p in prefixes)
    }


def _class_dicts(obj: Any) -> dict[type, dict[str, Any]]:
    """The attribute dicts of an object's IPython/ipykernel classes (their methods)."""
    return {
        cls: dict(vars(cls))
        for cls in type(obj).__mro__
        if cls.__module__.split(".")[0] in ("IPython", "ipykernel")
    }


def install(modules: list[str] | None = None) -> str:
    """Snapshot everything the tests rely on; return the key that signs :func:`restore`'s answers.

    ``modules``: further modules the tests import (e.g. ``cnncourse.lessons.l03``), imported now.
    Called once per kernel, before any student code; a second call is refused.
    """
    if _state:
        raise RuntimeError("the grader's guard is already installed")
    shell = _shell()
    guarded = _guarded_modules(list(modules or []))
    saved = {name: dict(vars(module)) for name, module in guarded.items()}
    code = {
        (name, key): (f, f.__code__, f.__defaults__, f.__kwdefaults__)
        for name, attributes in saved.items()
        for key, f in attributes.items()
        if type(f) is types.FunctionType
    }
    _state.update(
        key=secrets.token_hex(32),
        getframe=sys._getframe,
        settrace=sys.settrace,
        setprofile=sys.setprofile,
        trace=(sys.gettrace(), sys.getprofile()),
        threading=_threading_hooks(),
        sys_hooks={name: getattr(sys, name, None) for name in SYS_HOOKS},
        builtins={k: v for k, v in vars(builtins).items() if k not in VOLATILE_BUILTINS},
        modules=guarded,
        saved=saved,
        code=code,
        shell=shell,
        trusted_callbacks=_package_dirs(TRUSTED_CALLBACK_PACKAGES),
        shadowed={},
        library_dirs=tuple(_library_dirs()),
        # the names the tests reach guarded modules by: np, checks, each helper (l09)
        names={
            "np": "numpy",
            "numpy": "numpy",
            "checks": "cnncourse.checks",
            **{name.rsplit(".", 1)[-1]: name for name in modules or [] if name in guarded},
        },
    )
    if shell is not None:
        manager = shell.input_transformer_manager
        _state.update(
            transformer_lists={
                "input_transformers_cleanup": (manager, "cleanup_transforms"),
                "input line transforms": (manager, "line_transforms"),
                "input token transformers": (manager, "token_transformers"),
                "input_transformers_post": (shell, "input_transformers_post"),
                "ast_transformers": (shell, "ast_transformers"),
            },
            shell_values={name: getattr(shell, name) for name in SHELL_ATTRIBUTES},
            shell_instance=dict(vars(shell)),
            manager=manager,
            prefilter=(list(shell.prefilter_manager._transformers),),
            events={name: list(found) for name, found in shell.events.callbacks.items()},
            classes={**_class_dicts(shell), **_class_dicts(getattr(shell, "kernel", None))},
            kernel=getattr(shell, "kernel", None),
            user_expressions=type(shell).user_expressions.__code__,
        )
        kernel = getattr(shell, "kernel", None)
        do_execute = getattr(type(kernel), "do_execute", None) if kernel is not None else None
        _state["anchor"] = getattr(do_execute, "__code__", _state["user_expressions"])
        _state["saved_lists"] = {
            label: list(getattr(owner, attr))
            for label, (owner, attr) in _state["transformer_lists"].items()
        }
    audit.install(_state["getframe"], _state["library_dirs"])
    return _state["key"]


def _shell() -> Any:
    """The running IPython shell, or None outside IPython."""
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def _threading_hooks() -> tuple[Any, Any]:
    import threading

    return getattr(threading, "_trace_hook", None), getattr(threading, "_profile_hook", None)


def _sign(challenge: str, problems: list[str]) -> str:
    """The answer to a challenge: JSON with the problems and their HMAC under the key."""
    body = json.dumps(problems)
    mac = hmac.new(_state["key"].encode(), f"{challenge}|{body}".encode(), hashlib.sha256)
    return json.dumps({"problems": problems, "mac": mac.hexdigest()})


def check_answer(key: str, challenge: str, answer: str) -> list[str]:
    """The grader's side: the problems in a genuine answer; raises ValueError for a forged one."""
    data = json.loads(answer)
    body = json.dumps(data["problems"])
    mac = hmac.new(key.encode(), f"{challenge}|{body}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, str(data.get("mac", ""))):
        raise ValueError("the guard's answer is not signed with this job's key")
    return [str(p) for p in data["problems"]]


def restore(challenge: str, ns: dict[str, Any] | None = None, after: bool = False) -> str:
    """Put back everything :func:`install` saved; answer with the signed list of what changed.

    ``ns`` is the user namespace (default: the shell's). Before a test cell (``after`` false)
    names that shadow the ones tests use are moved out of the way; after it (``after`` true)
    they are put back, so the student's own later cells still see their variables.
    """
    if not _state:
        return json.dumps({"problems": ["the guard was never installed"], "mac": ""})
    problems: list[str] = audit.disarm()
    if (sys.gettrace(), sys.getprofile()) != _state["trace"]:
        problems.append("sys.settrace or sys.setprofile was used")
    _state["settrace"](None)
    _state["setprofile"](None)
    problems += _check_stack(_state["getframe"](1))
    for step in (_restore_sys, _restore_builtins, _restore_modules, _restore_shell):
        try:
            problems += step()
        except Exception as failure:  # report it, and keep restoring the rest
            problems.append(f"the guard could not restore ({step.__name__}): {failure!r}")
    shell = _state["shell"]
    if ns is None:
        ns = shell.user_ns if shell is not None else {}
    if ns.get("__builtins__") not in (builtins, vars(builtins)):
        problems.append("the namespace's __builtins__ was replaced")
        ns["__builtins__"] = builtins
    if after:
        ns.update(_state["shadowed"])
        _state["shadowed"] = {}
    else:
        _state["shadowed"] = {k: ns.pop(k) for k in SHADOWS if k in ns}
        for name, module in _state["names"].items():
            real = _state["modules"].get(module)
            if real is None:
                continue
            if ns.get(name, real) is not real:
                _state["shadowed"].setdefault(name, ns.pop(name))
            if name in ("np", "numpy") or name in _state["shadowed"]:
                ns[name] = real  # the test sees the module, not what the student bound
    for name, module in _state["names"].items():
        real = _state["modules"].get(module)
        if _state["shadowed"].get(name, real) is not real:
            problems.append(f"the name {name!r} was rebound")
    if not after:
        audit.arm()  # from here until the test cell's end
    return _sign(challenge, problems[:20])


def _check_stack(frame: Any) -> list[str]:
    """Problems with the callers: between this call and the kernel's ``do_execute`` (or, outside
    a kernel, IPython's ``user_expressions``) only the expression and library code may run."""
    anchor, user_expressions = _state.get("anchor"), _state.get("user_expressions")
    if anchor is None:
        return []
    saw_user_expressions = False
    depth = 0
    while frame is not None and frame.f_code is not anchor:
        name = frame.f_code.co_filename
        saw_user_expressions = saw_user_expressions or frame.f_code is user_expressions
        if not (depth == 0 and name == EXPRESSION_FILE) and not (
            name.startswith(_state["library_dirs"]) or name.startswith("<frozen ")
        ):
            return [f"the guard was called through other code ({name}:{frame.f_lineno})"]
        frame = frame.f_back
        depth += 1
    if frame is None or not (saw_user_expressions or anchor is user_expressions):
        return ["the guard was not called by IPython's user_expressions"]
    return []


def _library_dirs() -> list[str]:
    """Where trusted code lives: the interpreter's and the environment's library folders."""
    import sysconfig

    dirs = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # cnncourse/
    return sorted(os.path.join(d, "") for d in {*dirs, here})


def _restore_sys() -> list[str]:
    found = []
    trace, profile = _state["trace"]
    _state["settrace"](trace)
    _state["setprofile"](profile)
    import threading

    if _threading_hooks() != _state["threading"]:
        found.append("threading.settrace or threading.setprofile was used")
        threading._trace_hook, threading._profile_hook = _state["threading"]
    for name, value in _state["sys_hooks"].items():
        if getattr(sys, name, None) is not value:
            found.append(f"sys.{name} was replaced")
            setattr(sys, name, value)
    if sys._getframe is not _state["getframe"]:
        found.append("sys._getframe was replaced")
        sys._getframe = _state["getframe"]
    return found


def _restore_builtins() -> list[str]:
    found = []
    now = vars(builtins)
    for key, value in _state["builtins"].items():
        if now.get(key) is not value:
            found.append(f"builtins.{key} was changed")
            now[key] = value
    added = [k for k in now if k not in _state["builtins"] and k not in VOLATILE_BUILTINS]
    # Extension modules keep private state in builtins under dunder names (pybind11 does).
    for key in [k for k in added if not (k.startswith("__") and k.endswith("__"))]:
        found.append(f"builtins.{key} was added")
        del now[key]
    return found


def _restore_modules() -> list[str]:
    found = []
    pristine = _state["builtins"]
    for name, module in _state["modules"].items():
        if sys.modules.get(name) is not module:
            found.append(f"sys.modules[{name!r}] was replaced")
            sys.modules[name] = module
        current, saved = vars(module), _state["saved"][name]
        for key, value in saved.items():
            if current.get(key) is not value:
                found.append(f"{name}.{key} was changed")
                current[key] = value
        for key in [k for k in current if k not in saved and k in pristine]:
            found.append(f"{name}.{key} shadows a builtin")
            del current[key]
    for (name, key), (f, code, defaults, kwdefaults) in _state["code"].items():
        if (f.__code__, f.__defaults__, f.__kwdefaults__) != (code, defaults, kwdefaults):
            found.append(f"the code of {name}.{key} was changed")
            f.__code__, f.__defaults__, f.__kwdefaults__ = code, defaults, kwdefaults
    return found


def _restore_shell() -> list[str]:
    shell = _state["shell"]
    if shell is None:
        return []
    found = []
    for cls, saved in _state["classes"].items():
        current = vars(cls)
        for key, value in saved.items():
            if current.get(key) is not value:
                found.append(f"{cls.__name__}.{key} was changed")
                setattr(cls, key, value)
        for key in [k for k in current if k not in saved]:
            found.append(f"{cls.__name__}.{key} was added")
            delattr(cls, key)
    for key in [k for k in vars(shell) if k not in _state["shell_instance"]]:
        if callable(getattr(type(shell), key, None)):
            found.append(f"the shell's method {key} was overridden")
            delattr(shell, key)
    for name, value in _state["shell_values"].items():
        if getattr(shell, name) is not value:
            found.append(f"the shell's {name} was replaced")
            setattr(shell, name, value)
    if shell.input_transformer_manager is not _state["manager"]:
        found.append("the shell's input_transformer_manager was replaced")
        shell.input_transformer_manager = _state["manager"]
    for label, (owner, attr) in _state["transformer_lists"].items():
        saved = _state["saved_lists"][label]
        current = getattr(owner, attr)
        if list(current) != saved or not isinstance(current, list):
            found.append(f"the shell's {label} were changed")
        if isinstance(current, list):
            current[:] = saved
        else:
            setattr(owner, attr, list(saved))
    transformers = shell.prefilter_manager._transformers
    if transformers != _state["prefilter"][0]:
        found.append("the shell's prefilter transformers were changed")
        transformers[:] = _state["prefilter"][0]
    found += _restore_events(shell)
    return found


def _restore_events(shell: Any) -> list[str]:
    """Remove event callbacks registered since install, but those of the inline backend."""
    found = []
    callbacks = shell.events.callbacks
    for name, current in callbacks.items():
        saved = _state["events"].get(name, [])
        keep = []
        for callback in current:
            if any(callback is s for s in saved) or _trusted_callback(callback):
                keep.append(callback)
            else:
                found.append(f"a {name} event callback was registered")
        current[:] = keep
    return found


def _trusted_callback(callback: Any) -> bool:
    """A callback defined in a package that registers its own (matplotlib's inline backend)."""
    function = getattr(callback, "__func__", callback)
    code = getattr(function, "__code__", None)
    return code is not None and code.co_filename.startswith(_state["trusted_callbacks"])
