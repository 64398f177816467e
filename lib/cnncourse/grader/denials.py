"""What the OS sandbox (:mod:`cnncourse.grader.sandbox`) refused a submission, read from the
error outputs of its executed notebook: the job flags such a submission ``blocked``."""

from __future__ import annotations

import re
from typing import Any

from cnncourse.grader.bwrap import HOME, JOB
from cnncourse.grader.forkbomb import ENDED

# Errors that mean the sandbox refused something: no permission, a read-only file system, no
# more processes (or a fork bomb's kernel ended: ENDED), no network. A missing file counts when
# its path is outside the sandbox's own folders (the kernel looked for something of the
# grader's).
DENIED_ERRNOS = ("[Errno 1]", "[Errno 11]", "[Errno 13]", "[Errno 30]", "[Errno 101]")
DENIED_ERRNOS += ("[Errno 111]", "[Errno 99]", "[Errno -2]", "[Errno -3]")
OWN_FOLDERS = (JOB, "/tmp", HOME)
GRADER_FOLDERS = "cnncourse-job-"  # a job's temporary folder (the grader's, never the kernel's)


def denials(nb: Any) -> list[str]:
    """What the sandbox refused a notebook's code, from its cells' error outputs: one
    message per cell (``cell N: Error: text``)."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") != "error":
                continue
            text = f"{output.get('ename')}: {output.get('evalue', '')}"
            missing = output.get("ename") == "FileNotFoundError"
            paths = re.findall(r"'(/[^']*)'", text) if missing else []
            outside = [
                p
                for p in paths
                if GRADER_FOLDERS in p or not any(inside(p, own) for own in OWN_FOLDERS)
            ]
            if outside or ENDED in text or any(code in text for code in DENIED_ERRNOS):
                found.append(f"cell {index}: {text[:300]}")
                break
    return found


def inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or below it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")
