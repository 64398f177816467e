"""Where submissions are discovered: the rows (student, lesson, file) found in a folder of
submissions, in nbgrader's layout or an LMS export's."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any


def safe_name(name: str) -> str:
    """A student or lesson name usable as a file name."""
    cleaned = re.sub(r"[^\w.@+-]", "_", name).strip("._")
    return cleaned or "unnamed"


IGNORED = {"timestamp.txt", ".DS_Store", "Thumbs.db"}


def discover(
    folder: str | os.PathLike[str], known: list[str], wanted: list[str] | None = None
) -> list[dict[str, Any]]:
    """Every input under ``folder``: ``{student, lesson, path, status}`` rows.

    Layouts: ``[submitted/]<student>/<lesson>/<lesson>.ipynb`` (nbgrader), ``<student>/
    <lesson>.ipynb`` and ``<student>_<lesson>.ipynb`` (LMS exports). ``status`` is ``None`` for
    a file to grade, ``"missing"`` for a student without a lesson's notebook (every student
    gets a row for every lesson wanted, or seen when ``wanted`` is None) and ``"unrecognized"``
    for any other file.
    """
    folder = Path(folder)
    if (folder / "submitted").is_dir():
        folder = folder / "submitted"
    found: dict[tuple[str, str], Path] = {}
    others: list[Path] = []
    folders: dict[tuple[str, str], Path] = {}
    students: set[str] = set()
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") or p in IGNORED for p in parts) or "__pycache__" in parts:
            continue
        if path.is_dir():
            if len(parts) == 1:
                students.add(parts[0])
            elif len(parts) == 2 and parts[1] in known:
                folders[parts[0], parts[1]] = path
            continue
        key = None
        if len(parts) == 3 and parts[1] in known and parts[2] == f"{parts[1]}.ipynb":
            key = (parts[0], parts[1])
        elif len(parts) == 2 and path.suffix == ".ipynb" and path.stem in known:
            key = (parts[0], path.stem)
        elif len(parts) == 1 and path.suffix == ".ipynb":
            for lesson in known:
                if path.stem.endswith(f"_{lesson}") and len(path.stem) > len(lesson) + 1:
                    key = (path.stem[: -len(lesson) - 1], lesson)
        if key is None or key in found:
            others.append(path)
        else:
            found[key] = path
            students.add(key[0])
    lessons = list(wanted) if wanted else sorted({lesson for _, lesson in found})
    lessons += sorted({lesson for _, lesson in folders} - set(lessons)) if not wanted else []
    rows = []
    for student in sorted(students):
        for lesson in lessons:
            if (student, lesson) in found:
                rows.append(dict(student=student, lesson=lesson, path=found[student, lesson]))
                continue
            where = folders.get((student, lesson), folder / student)
            files = sorted(p.name for p in where.glob("*")) if where.is_dir() else []
            message = f"no {lesson}.ipynb for {student}" + (
                f" (the folder holds {', '.join(files[:5])})" if files else ""
            )
            rows.append(dict(student=student, lesson=lesson, path=where, status="missing",
                             message=message))  # fmt: skip
    for path in others:
        if any(path.parent == where for where in folders.values()):
            continue  # listed in that student's "missing" row
        if wanted and not any(lesson in str(path) for lesson in wanted):
            if any(lesson in str(path) for lesson in known):
                continue  # another lesson's file, not asked for
        relative = path.relative_to(folder)
        rows.append(
            dict(
                student=relative.parts[0] if len(relative.parts) > 1 else "",
                lesson="",
                path=path,
                status="unrecognized",
                message=f"{relative}: not <student>/<lesson>/<lesson>.ipynb, "
                "<student>/<lesson>.ipynb or <student>_<lesson>.ipynb for a known lesson",
            )
        )
    return [row for row in rows if row.get("status") != "missing" or row["lesson"] in lessons]
