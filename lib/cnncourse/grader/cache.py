"""The batch's cache: a result is reused when nothing it depends on changed (the submission,
the master, the config, the options, and the code that grades: this package, the checks, the
lessons' test helpers and nbgrader's version)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from cnncourse.grader.result import Result, Status

PACKAGE = Path(__file__).resolve().parent  # cnncourse/grader
LIBRARY = PACKAGE.parent  # cnncourse


def grading_code() -> list[Path]:
    """The files whose content decides a grade: the grader package (code and templates),
    ``cnncourse/checks.py`` and ``cnncourse/lessons/*.py``."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".j2")]
    files += [LIBRARY / "checks.py", *(LIBRARY / "lessons").glob("*.py")]
    return sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts)


@cache
def code_fingerprint() -> str:
    """sha256 over the grading code's paths and contents and nbgrader's version."""
    from importlib.metadata import version  # not nbgrader itself: its import takes a second

    digest = hashlib.sha256(f"nbgrader {version('nbgrader')}".encode())
    for path in grading_code():
        digest.update(str(path.relative_to(LIBRARY)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cache_key(submission: bytes, master: bytes, config: bytes, options: str) -> str:
    """sha256 of everything a result depends on."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in (options.encode(), config, master, submission):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def load(where: Path) -> Result | None:
    """The cached result in the folder ``where`` (marked ``cached``), or None."""
    path = where / "result.json"
    if not path.is_file():
        return None
    try:
        result = Result.read(path)
    except (ValueError, KeyError, TypeError):  # a result of an older grader: grade again
        return None
    result.cached = True
    return result


def store(where: Path, result: Result) -> None:
    """Keep a result for the next run; a grader error is never kept (it is retried)."""
    if result.status == Status.ERROR:
        (where / "result.json").unlink(missing_ok=True)
    else:
        where.mkdir(parents=True, exist_ok=True)
        result.write(where / "result.json")
