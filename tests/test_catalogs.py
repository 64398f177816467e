"""The catalog pages: they read into entries, a bad page is refused naming its line and the fix,
a diff applies only where it fits, and no whole-cell entry copies a master or another entry."""

from __future__ import annotations

import difflib
import re

import pytest

from cnncourse import grading

import catalogs
import harness
from conftest import LESSONS, ROOT, catalog, toy_notebook

PAGE = """# Mistakes: 99-example

Prose between entries is for readers; the reader skips it.

## `double`

### adds instead of multiplying

- loses: test_double, test_quadruple
- feedback: adds

```diff
 def double(x):
-    y = 2 * x
+    y = x + 2

@@
-    return y
+    return -y
```

### the whole cell

- emits: RuntimeWarning

```python
def double(x):

    return x * 2
```

## halve

### on top of another entry

- base: adds instead of multiplying
- feedback: a note, with a comma

~~~diff
-def halve(x):
+def halve(x):  # ```
~~~
"""


def test_a_catalog_page_reads_into_entries():
    adds, whole, halve = catalogs.parse(PAGE)
    assert (adds["cell"], adds["name"]) == ("double", "adds instead of multiplying")
    assert adds["where"] == "<catalog>:7"
    assert adds["loses"] == ["test_double", "test_quadruple"] and adds["feedback"] == "adds"
    assert adds["diff"] == [
        (["def double(x):", "    y = 2 * x", ""], ["def double(x):", "    y = x + 2", ""]),
        (["    return y"], ["    return -y"]),
    ]
    assert whole["code"] == "def double(x):\n\n    return x * 2"
    assert whole["emits"] == "RuntimeWarning" and "diff" not in whole
    assert halve["cell"] == "halve" and halve["feedback"] == "a note, with a comma"
    assert halve["diff"] == [(["def halve(x):"], ["def halve(x):  # ```"])]


def test_a_missing_page_is_an_empty_catalog(tmp_path):
    assert catalogs.read(tmp_path / "10-new.md") == []


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("### early\n\n```python\npass\n```\n", r":1: an entry before any '## answer_cell'"),
        ("## c\n### e\n- points: 3\n```python\npass\n```\n", r":3: unknown field 'points'"),
        ("## c\n\n```python\npass\n```\n", r":3: a code block that belongs to no entry"),
        ("## c\n### e\n```python\npass\n```\n```python\npass\n```\n", r":6: a code block that"),
        ("## c\n### e\n```python\npass\n", r":3: the code block is never closed"),
        ("## c\n### e\n```\npass\n```\n", r":3: 'e' has a 'plain' block"),
        ("## c\n### e\n```diff\n y\n*z\n```\n", r"'e', diff line 2 starts with '\*'"),
        ("## c\n### e\n```diff\n+z\n```\n", r"'e' has a hunk with only added lines"),
        ("## c\n### e\n```diff\n```\n", r"'e' has an empty diff"),
        ("## c\n### e\n- feedback: x\n", r":2: 'e' has no ```python or ```diff block"),
    ],
)
def test_a_bad_page_is_refused_naming_its_line_and_the_fix(page, message):
    with pytest.raises(catalogs.CatalogError, match=message):
        catalogs.parse(page, "page.md")


def test_a_diff_applies_only_where_it_fits_exactly_once():
    code = "def f(x):\n    y = x\n    y = x\n    return y"
    hunk = (["    y = x"], ["    y = 2 * x"])
    with pytest.raises(
        catalogs.CatalogError, match=r"'e'.*hunk 1.*occur 2 times in its base \(b\)"
    ):
        catalogs.apply_diff(code, [hunk], "'e'", "b")
    wider = (["def f(x):", "    y = x"], ["def f(x):", "    y = 2 * x"])
    assert catalogs.apply_diff(code, [wider], "'e'", "b").split("\n")[1:3] == [
        "    y = 2 * x",
        "    y = x",
    ]


def test_trailing_spaces_do_not_count_when_a_diff_is_placed():
    code = "def f(x):    \n    return x"
    hunk = (["def f(x):", "    return x"], ["def f(x):", "    return -x"])
    assert catalogs.apply_diff(code, [hunk], "'e'", "b") == "def f(x):\n    return -x"


def test_a_diff_that_no_longer_fits_names_its_page_line_hunk_and_base(tmp_path):
    nb = toy_notebook(
        ("answer", "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION")
    )
    page = tmp_path / "99-x.md"
    page.write_text("## c0\n\n### triples\n\n```diff\n-    return 3 * x\n+    return x\n```\n")
    (entry,) = catalogs.read(page)
    expected = (
        rf"'triples' \({re.escape(str(page))}:3\): the lines of its diff's hunk 1 "
        r"\('return 3 \* x'...\) do not occur in its base \(the master's c0\)"
    )
    with pytest.raises(ValueError, match=expected):
        harness.entry_code(entry, nb, [entry])


def _longest_shared_run(a: str, b: str) -> int:
    a_lines = [line.strip() for line in a.splitlines()]
    b_lines = [line.strip() for line in b.splitlines()]
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    return matcher.find_longest_match(0, len(a_lines), 0, len(b_lines)).size


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_whole_cell_entry_copies_six_lines_of_a_master_or_another_whole_cell(lesson):
    """One change to a master means editing the entries that really differ there, not copies:
    an entry that shares six lines in a row with a master answer or another whole-cell entry
    is written as a diff against it."""
    nb = grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    entries = catalog("mistakes", lesson) + catalog("alternatives", lesson)
    written = [
        (f"the master's {cell}", harness.master_answer(nb, cell))
        for cell in sorted(grading.nbgrader_cells(nb, "solution"))
    ]
    written += [(repr(e["name"]), e["code"]) for e in entries if "code" in e]
    copies = [
        f"{e['name']!r} shares {shared} lines in a row with {other}: write it as a diff"
        for e in entries
        if "code" in e
        for other, code in written
        if code is not e["code"] and (shared := _longest_shared_run(e["code"], code)) >= 6
    ]
    assert not copies, "\n".join(copies)
