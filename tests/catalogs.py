"""Reading the catalogs: ``tests/mistakes/<lesson>.md`` and ``tests/alternatives/<lesson>.md``.

A catalog is a Markdown page (the format is described in ``tests/mistakes/README.md``)::

    ## conv2d_valid                      <- the grade_id of an answer cell

    ### flipped kernel                   <- an entry: its name, unique for its cell

    - base: another entry's name         <- optional: build on that entry, not on the master
    - loses: test_conv2d_valid           <- mistakes: the test cells that must lose points
    - feedback: flipped kernel           <- mistakes: what their feedback must say
    - emits: RuntimeWarning              <- alternatives, optional: what the output must show

    ```diff                              <- the lines it changes in its base ...
     kh, kw = W.shape
    -out = np.sum(X[i : i + kh, j : j + kw] * W)
    +out = np.sum(X[i : i + kh, j : j + kw] * W[::-1, ::-1])
    ```

or, for an answer that shares little with any base, the whole cell in a ```` ```python ````
block. A diff's hunks (separated by lines starting with ``@@``) apply in turn: the hunk's
context (`` ``) and removed (``-``) lines must occur exactly once, as whole lines, in the text
they apply to (trailing spaces do not count), and become its context and added (``+``) lines.
An empty line in a diff is an empty context line (editors strip the space).

:func:`read` returns the entries as dicts: ``cell``, ``name``, ``where`` (the page and line of
its heading), the fields above (``loses`` as a list) and either ``code`` or ``diff`` (a list of
``(old, new)`` line lists); :func:`apply_diff` applies a diff. Both fail loudly, naming the
entry and what to fix.
"""

from __future__ import annotations

import re
from pathlib import Path

FIELDS = ("base", "loses", "feedback", "emits")
FENCE = re.compile(r"^(```+|~~~+)\s*(\w*)\s*$")
FIELD = re.compile(r"^- (\w+): (.*\S)\s*$")

Hunk = tuple[list[str], list[str]]


class CatalogError(ValueError):
    """A catalog page that cannot be read, or an entry whose diff does not fit its base."""


def read(path: Path) -> list[dict]:
    """The entries of the catalog page ``path``, in order (empty if it does not exist)."""
    path = Path(path)
    if not path.is_file():
        return []
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, where: str = "<catalog>") -> list[dict]:
    """The entries of a catalog page's ``text``; ``where`` names it in errors."""
    entries: list[dict] = []
    cell = None
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        index += 1
        fence = FENCE.match(line)
        if line.startswith("## ") and not line.startswith("### "):
            cell = line[3:].strip().strip("`")
        elif line.startswith("### "):
            if cell is None:
                raise CatalogError(
                    f"{where}:{number}: an entry before any '## answer_cell' heading"
                )
            entry = {"cell": cell, "name": line[4:].strip(), "where": f"{where}:{number}"}
            entries.append(entry)
        elif FIELD.match(line) and entries and not _has_answer(entries[-1]):
            key, value = FIELD.match(line).groups()
            if key not in FIELDS:
                raise CatalogError(
                    f"{where}:{number}: unknown field {key!r} for {entries[-1]['name']!r}; "
                    f"the fields are {', '.join(FIELDS)}"
                )
            entries[-1][key] = [v.strip() for v in value.split(",")] if key == "loses" else value
        elif fence:
            if not entries or _has_answer(entries[-1]):
                raise CatalogError(
                    f"{where}:{number}: a code block that belongs to no entry; "
                    "give each entry one block, under its '### name' heading"
                )
            body = []
            while index < len(lines) and lines[index].strip() != fence.group(1):
                body.append(lines[index])
                index += 1
            if index == len(lines):
                raise CatalogError(f"{where}:{number}: the code block is never closed")
            index += 1
            while body and not body[-1].strip():
                body.pop()
            entry = entries[-1]
            if fence.group(2) == "python":
                entry["code"] = "\n".join(body).strip("\n")
            elif fence.group(2) == "diff":
                entry["diff"] = _hunks(body, f"{where}:{number + 1}", entry["name"])
            else:
                raise CatalogError(
                    f"{where}:{number}: {entry['name']!r} has a {fence.group(2) or 'plain'!r} "
                    "block; write ```python (the whole cell) or ```diff (changes to its base)"
                )
    for entry in entries:
        if not _has_answer(entry):
            raise CatalogError(
                f"{entry['where']}: {entry['name']!r} has no ```python or ```diff block"
            )
    return entries


def _has_answer(entry: dict) -> bool:
    return "code" in entry or "diff" in entry


def _hunks(body: list[str], where: str, name: str) -> list[Hunk]:
    hunks: list[Hunk] = [([], [])]
    for offset, line in enumerate(body):
        if line.startswith("@@"):
            hunks.append(([], []))
            continue
        old, new = hunks[-1]
        mark, rest = (line[:1], line[1:]) if line else (" ", "")
        if mark not in " -+":
            raise CatalogError(
                f"{where}: {name!r}, diff line {offset + 1} starts with {mark!r}; a diff line "
                "starts with ' ' (unchanged), '-' (removed) or '+' (added)"
            )
        if mark != "+":
            old.append(rest)
        if mark != "-":
            new.append(rest)
    hunks = [hunk for hunk in hunks if hunk != ([], [])]
    for old, _ in hunks:
        if not old:
            raise CatalogError(
                f"{where}: {name!r} has a hunk with only added lines; give it at least one "
                "unchanged line of its base, so that it has a place"
            )
    if not hunks:
        raise CatalogError(f"{where}: {name!r} has an empty diff")
    return hunks


def apply_diff(code: str, hunks: list[Hunk], label: str, base_name: str) -> str:
    """``code`` with each hunk's old lines (which must occur exactly once, as whole lines, in
    the text it applies to; trailing spaces do not count) replaced by its new lines, in turn.

    ``label`` names the entry in errors (its quoted name, and where its page has it).

    Raises:
        CatalogError: naming the entry, its base and the hunk whose lines are missing or
            ambiguous (the base was edited: update the diff to the base's current text).
    """
    lines = code.split("\n")
    for number, (old, new) in enumerate(hunks, 1):
        wanted = [line.rstrip() for line in old]
        starts = [
            start
            for start in range(len(lines) - len(old) + 1)
            if [line.rstrip() for line in lines[start : start + len(old)]] == wanted
        ]
        if len(starts) != 1:
            where = "do not occur" if not starts else f"occur {len(starts)} times"
            raise CatalogError(
                f"{label}: the lines of its diff's hunk {number} ({old[0].strip()!r}...) {where} "
                f"in its base ({base_name}); update the diff to the base's current text"
                + ("" if not starts else ", with more unchanged lines around the change")
            )
        lines[starts[0] : starts[0] + len(old)] = new
    return "\n".join(lines)
