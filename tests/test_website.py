"""The course website builds offline from the released lessons, shows figures, hides solutions.

One build (module fixture) with the network really off: as root in a network namespace that has
only a loopback interface (``unshare -n``), else with every Python process's sockets limited to
this machine. It executes one cheap lesson (fast mode) and shows the others without outputs;
``make site`` executes all of them.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnncourse import notebooks

from conftest import LESSONS, MARKERS, ROOT, marked_lines

pytestmark = pytest.mark.xdist_group("website")

EXECUTED = ("01-intuition",)  # cheap (seconds in fast mode) and rich in figures
SECRET_MIN_LENGTH = 25  # shorter lines ("return out") may appear in the lesson text as well
BLOCKED = "network disabled for the website test"
SOCKET_BLOCKER = f'''
"""Injected by tests/test_website.py: no connection leaves this machine."""
import socket

_LOCAL = ("127.0.0.1", "::1", "localhost", "0.0.0.0", "")
_connect, _connect_ex, _getaddrinfo = (
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
)


def _check(address):
    if isinstance(address, tuple) and str(address[0]) not in _LOCAL:
        raise OSError("{BLOCKED}: " + repr(address))


def _guarded_connect(self, address):
    _check(address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    _check((host,))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex = _guarded_connect, _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo
'''
PROBE = (
    "import socket\n"
    "try:\n"
    "    socket.create_connection(('192.0.2.1', 80), timeout=5)\n"
    "except OSError as error:\n"
    "    print('refused:', error.errno, error)\n"
    "else:\n"
    "    print('connected')\n"
)


def load_builder():
    """``website/build.py`` as a module."""
    spec = importlib.util.spec_from_file_location("website_build", ROOT / "website" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def can_unshare_network() -> bool:
    """True where this process may run a command in a new, empty network namespace."""
    if os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("ip")):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def offline(command: list[str], scratch: Path) -> tuple[list[str], dict[str, str]]:
    """``command`` and its environment, arranged so that it cannot reach the network.

    In a network namespace with only loopback (kernels talk to their client over loopback),
    else with a ``sitecustomize`` on PYTHONPATH that every Python process, kernels included,
    imports first. Its kernels are started as a student's are, not forked from the suite's
    zygote (which runs outside the namespace, with the network).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_PATH", "CNN_KERNEL_ZYGOTE")}
    if can_unshare_network():
        script = 'ip link set lo up && exec "$@"'
        return ["unshare", "-n", "sh", "-c", script, "sh", *command], env
    blocker = scratch / "offline"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(SOCKET_BLOCKER)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(blocker), env.get("PYTHONPATH")]))
    return command, env


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built offline: the EXECUTED lessons run in fast mode, the rest without outputs."""
    out = tmp_path_factory.mktemp("website")
    build = [sys.executable, str(ROOT / "website" / "build.py"), "--out", str(out)]
    build += ["--execute", ",".join(EXECUTED), "--mode", "fast"]
    command, env = offline(build, out)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(f"website/build.py failed offline:\n{result.stderr[-4000:]}")
    return out / "html"


def page_text(path: Path) -> str:
    """What a reader of a built file sees: HTML without tags, a notebook's strings, or text."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        return html.unescape(re.sub(r"<[^>]+>", "", raw))
    if path.suffix == ".ipynb":
        return "\n".join(strings(json.loads(raw)))
    return raw


def strings(value) -> list[str]:
    """Every text in a JSON value (a notebook): lists of lines are joined back into texts."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return ["".join(value)]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in strings(item)]


def secret_lines() -> set[str]:
    """Lines of the masters' solution and hidden-test blocks that the course shows nowhere else.

    A line that is part of a visible line of any master (a hint string that the hidden tests
    share with the visible ones, a common ``rng = ...``) is not a secret.
    """
    inside_lines, outside_lines = set(), set()
    for lesson in LESSONS:
        master = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
        inside, outside = marked_lines(master)
        inside_lines |= inside
        outside_lines |= outside
    public = "\n".join(outside_lines)
    return {line for line in inside_lines if len(line) > SECRET_MIN_LENGTH and line not in public}


def test_build_sandbox_has_no_network(tmp_path):
    command, env = offline([sys.executable, "-c", PROBE], tmp_path)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused:"), result.stdout
    assert "Network is unreachable" in result.stdout or BLOCKED in result.stdout, result.stdout


@pytest.mark.slow
def test_index_links_every_lesson_page_in_order(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = []
    for lesson in LESSONS:
        assert (site / "lessons" / f"{lesson}.html").is_file(), f"no page for {lesson}"
        link = f'href="lessons/{lesson}.html"'
        assert link in index, f"index.html does not link {lesson}"
        positions.append(index.index(link))
    assert positions == sorted(positions), "index.html lists the lessons out of order"


@pytest.mark.slow
def test_executed_lessons_show_their_figures(site):
    for lesson in EXECUTED:
        page = (site / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        images = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.png)"', page)
        assert images, f"{lesson} was executed but its page shows no figure"
        for image in images:
            assert (site / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
        assert "cell_output" in page, f"{lesson} shows no printed output"


@pytest.mark.slow
def test_lessons_not_executed_show_no_outputs(site):
    for lesson in set(LESSONS) - set(EXECUTED):
        page = (site / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        assert "cell_output" not in page, f"{lesson} shows outputs it was not built with"


@pytest.mark.slow
def test_documentation_pages_are_on_the_site_with_working_links(site):
    builder = load_builder()
    pages = builder.doc_pages(ROOT)
    assert "docs/instructors.md" in pages and "docs/benchmarks.md" in pages
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in pages.values():
        assert (site / "docs" / f"{name}.html").is_file(), f"no page for docs/{name}"
        assert f'href="docs/{name}.html"' in index, f"index.html does not link docs/{name}"
    manual = (site / "docs" / "instructors.html").read_text(encoding="utf-8")
    assert 'href="benchmarks.html"' in manual, "a link between two pages must stay on the site"
    proj = notebooks.project(ROOT / "pyproject.toml")
    assert f"https://github.com/{proj.github_path}/blob/{proj.tag}/CHANGELOG.md" in manual


def test_links_to_pages_stay_on_the_site_and_the_rest_go_to_github():
    builder = load_builder()
    pages = {"docs/a.md": "a", "CONTRIBUTING.md": "contributing"}
    blob = "https://github.com/o/c/blob/v1"
    text = (
        "[A](a.md#top) [guide](../CONTRIBUTING.md#tests) [readme](../README.md) "
        "[tests](../tests/mistakes/) [web](https://x.org/a.md) [here](#local)"
    )
    assert builder.rewrite_links(text, "docs/b.md", pages, blob) == (
        "[A](a.md#top) [guide](contributing.md#tests) [readme](https://github.com/o/c/blob/v1/"
        "README.md) [tests](https://github.com/o/c/blob/v1/tests/mistakes) "
        "[web](https://x.org/a.md) [here](#local)"
    )
    assert builder.rewrite_links("[m](docs/a.md)", "CONTRIBUTING.md", pages, blob) == "[m](a.md)"
    with pytest.raises(builder.SiteError, match="outside the repository"):
        builder.rewrite_links("[x](../../etc/passwd)", "docs/b.md", pages, blob)


@pytest.mark.slow
def test_site_shows_no_solution_or_hidden_test(site):
    secrets = secret_lines()
    assert secrets, "found no solution lines in the masters; the leak check checks nothing"
    files = [p for p in site.rglob("*") if p.suffix in {".html", ".ipynb", ".txt", ".js"}]
    assert len(files) > len(LESSONS)
    for path in files:
        text = page_text(path)
        # The documentation pages name nbgrader's markers when they explain them.
        if "docs" not in path.relative_to(site).parts:
            assert not MARKERS.search(text), f"{path.relative_to(site)} shows an nbgrader marker"
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{path.relative_to(site)} shows solution lines: {leaked[:3]}"


def answer_and_test_notebooks(source_edit: str = ""):
    """A tiny master and its release: an ordinary cell, an answer cell and a test cell."""

    def cell(id_, source, **nbgrader):
        made = nbformat.v4.new_code_cell(source)
        made.id = id_
        if nbgrader:
            made.metadata["nbgrader"] = {"grade_id": id_, **nbgrader}
        return made

    master = nbformat.v4.new_notebook()
    master.cells = [
        cell("plot", "print(1)"),
        cell("answer", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", solution=True, grade=False),
        cell("test", "assert x == 1", solution=False, grade=True, points=1),
    ]
    released = nbformat.from_dict(json.loads(json.dumps(master)))
    released.cells[0].source += source_edit
    released.cells[1].source = "raise NotImplementedError()"
    for executed in master.cells:
        executed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="secret\n")]
    master.cells[0].outputs.append(
        nbformat.v4.new_output(
            "display_data",
            data={"application/vnd.jupyter.widget-view+json": {}, "text/plain": "bar"},
        )
    )
    return master, released


def test_outputs_go_only_to_ordinary_cells():
    builder = load_builder()
    master, released = answer_and_test_notebooks()
    builder.check_aligned(master, released, "99-demo")
    merged = builder.merge_outputs(master, released)
    plot, answer, test = merged.cells
    assert [o.get("text") for o in plot.outputs] == ["secret\n", None]
    assert plot.outputs[1].data == {"text/plain": "bar"}, "widget views must give way"
    assert answer.outputs == [] and test.outputs == []
    assert answer.source == "raise NotImplementedError()"


def test_progress_bars_show_their_final_state():
    builder = load_builder()
    pieces = ["Epoch 1/2\n", " 1/11 [=>   ] loss: 4.3", "\r11/11 [=====] loss: 2.2\n", "done\r\n"]
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=text) for text in pieces]
    (shown,) = builder.static_outputs(outputs)
    assert shown.text == "Epoch 1/2\n11/11 [=====] loss: 2.2\ndone\n"


def test_stale_release_is_refused_with_the_fix():
    builder = load_builder()
    master, released = answer_and_test_notebooks(source_edit="\nprint(2)")
    with pytest.raises(builder.SiteError, match="make release"):
        builder.check_aligned(master, released, "99-demo")
    master, released = answer_and_test_notebooks()
    released.cells.pop()
    with pytest.raises(builder.SiteError, match="do not line up.*make release"):
        builder.check_aligned(master, released, "99-demo")
