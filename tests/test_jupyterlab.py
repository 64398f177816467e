"""JupyterLab for real: a server on localhost, its REST API and kernels, and headless Chromium.

One JupyterLab server (module scope), started with the options ``make lab`` passes (read from
``make -n lab``: the course's JupyterLab settings, ``--allow-root`` where the user is root),
serves a temporary copy of the students' ``course/``; one
headless Chromium (Debian's ``chromium`` driven by Playwright, never a downloaded browser)
opens lesson 00 in it and keeps a screenshot in ``test-artifacts/``. Where Chromium or
Playwright is missing the browser tests skip, or fail when the environment variable CI is set.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from cnncourse import grading

from lab_server import LabServer, execute, lab_server, log_tail

pytestmark = [pytest.mark.xdist_group("jupyterlab"), pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
LESSONS = grading.lessons(ROOT)
FIRST = "00-getting-started"
FIRST_NOTEBOOK = f"{FIRST}/{FIRST}.ipynb"
FIRST_TITLE = "00 · Getting started"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    # Offline by construction: every host but the local server fails to resolve (the lessons'
    # Colab/Binder badges then show their alt text on every machine).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
NBGRADER_MENU_ITEMS = ["Assignment List", "Course List", "Formgrader", "Create assignment"]
NEWS_QUESTION = "official Jupyter news"  # JupyterLab 4's pop-up the course's settings turn off
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"


def require(ok: bool, message: str) -> None:
    """Skip the test with ``message`` unless ``ok``; on CI (env CI set) fail instead."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)")
    pytest.skip(message)


def chromium_path() -> str | None:
    """Debian's Chromium if it is installed."""
    return shutil.which("chromium") or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)


def make_lab_flags(user_id: int | None = None) -> list[str]:
    """The options ``make lab`` gives ``jupyter lab`` (for the user id given, default: ours)."""
    require(shutil.which("make") is not None, "make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    command = ["make", "--no-print-directory", "-n", "lab"]
    if user_id is not None:
        command.append(f"LAB_USER_ID={user_id}")
    dry_run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert dry_run.returncode == 0, f"make -n lab failed:\n{dry_run.stderr}"
    for line in dry_run.stdout.splitlines():
        words = shlex.split(line)
        if len(words) > 2 and words[0].endswith("/jupyter") and words[1] == "lab":
            assert words[-1] == "course/", f"make lab opens {words[-1]}, not course/"
            return words[2:-1]
    raise AssertionError(f"make -n lab runs no `jupyter lab`:\n{dry_run.stdout}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """One JupyterLab server on a throwaway copy of course/ for the whole module, started with
    the options of ``make lab`` (so it starts as root only if ``make lab`` would)."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "course"
    shutil.copytree(
        ROOT / "course", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    )
    with lab_server(root, base / "state", extra_args=make_lab_flags()) as running:
        yield running


@pytest.fixture(scope="module")
def notebook_page(request: pytest.FixtureRequest) -> Iterator[tuple]:
    """Headless Chromium showing lesson 00 in JupyterLab (rendered, kernel idle); JS errors."""
    executable = chromium_path()
    require(
        executable is not None,
        "Chromium is not installed: run `apt-get install chromium` (as root, Debian/Ubuntu).",
    )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, 'Playwright is not installed: run `pip install -e ".[dev]"`.')
    server: LabServer = request.getfixturevalue("server")  # only once the browser is there
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server.url}/lab/tree/{FIRST_NOTEBOOK}?token={server.token}")
            try:
                heading = page.locator(".jp-NotebookPanel h1", has_text=FIRST_TITLE).first
                heading.wait_for(state="visible", timeout=60_000)
                # The lesson's own kernel (started by the page) is up: the status bar says Idle.
                page.locator("#jp-main-statusbar", has_text="| Idle").wait_for(timeout=60_000)
            except PlaywrightError as error:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "jupyterlab-failure.png"))
                pytest.fail(
                    f"JupyterLab did not show {FIRST_NOTEBOOK} rendered with an idle kernel: "
                    f"{error}\nPage errors: {errors}\nScreenshot: test-artifacts/jupyterlab-failure"
                    f".png\nServer log tail:\n{log_tail(server.log_path)}"
                )
            yield page, errors
        finally:
            browser.close()


def test_make_lab_allows_root_only_for_root():
    assert "--allow-root" in make_lab_flags(user_id=0)
    assert "--allow-root" not in make_lab_flags(user_id=1000)
    settings = ROOT / "jupyter" / "lab-settings"
    assert f"--LabApp.app_settings_dir={settings}" in make_lab_flags(user_id=1000)
    assert json.loads((settings / "overrides.json").read_text())[NOTIFICATION_PLUGIN] == {
        "fetchNews": "false",
        "checkForUpdates": False,
    }


def test_server_serves_the_course_settings_that_turn_the_news_off(server: LabServer):
    """The settings `make lab` ships are what the front end reads as the defaults."""
    reply = server.json("GET", f"lab/api/settings/{NOTIFICATION_PLUGIN}")
    defaults = {key: value.get("default") for key, value in reply["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false", f"fetchNews defaults to {defaults['fetchNews']!r}"
    assert defaults["checkForUpdates"] is False
    assert not json.loads(reply["raw"] or "{}"), "the test's user settings must stay empty"


def test_rest_api_lists_every_lesson(server: LabServer):
    listing = server.json("GET", "api/contents")
    folders = sorted(item["name"] for item in listing["content"] if item["type"] == "directory")
    assert folders == LESSONS, f"GET /api/contents lists {folders}, expected {LESSONS}"
    assert LESSONS, "solutions/ holds no lesson"
    for lesson in LESSONS:
        files = [item["name"] for item in server.json("GET", f"api/contents/{lesson}")["content"]]
        assert f"{lesson}.ipynb" in files, f"{lesson}/ holds {files}, not {lesson}.ipynb"


def test_server_refuses_requests_without_the_token(server: LabServer):
    anonymous = LabServer(server.url, "", server.root_dir, server.log_path, server.pid)
    status, _ = anonymous.request("GET", "api/contents")
    assert status == 403, f"GET /api/contents without a token answered HTTP {status}"


def test_rest_api_loads_a_lesson_notebook_with_its_cells(server: LabServer):
    model = server.json("GET", f"api/contents/{FIRST_NOTEBOOK}?content=1")
    assert model["type"] == "notebook" and model["format"] == "json"
    cells = model["content"]["cells"]
    assert len(cells) > 10
    titles = [
        c["source"] for c in cells if c["cell_type"] == "markdown" and c["source"][:2] == "# "
    ]
    assert titles and titles[0].startswith(f"# {FIRST_TITLE}"), f"Headings: {titles}"
    grade_ids = [cell["metadata"].get("nbgrader", {}).get("grade_id") for cell in cells]
    assert "setup" in grade_ids


def first_cells(notebook: Path) -> list[str]:
    """The read-only code cells before the notebook's first exercise, less TensorFlow imports.

    The environment-check cell that imports TensorFlow is left out: it is most of the cost and
    nbval runs it already; the setup cell and the cells that use the course config stay.
    """
    codes = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader", {}).get("solution"):
            break
        if "import tensorflow" not in cell.source and "import keras" not in cell.source:
            codes.append(cell.source)
    return codes


def test_server_kernel_runs_the_first_cells_of_lesson_00(server: LabServer):
    """The first cells run in a kernel the server started, with the course's Python and mode."""
    codes = first_cells(server.root_dir / FIRST_NOTEBOOK)
    assert any("from cnncourse import" in code for code in codes), f"No setup cell in {codes}"
    probe = "import sys\nprint('prefix', sys.prefix)\nprint('mode', config.mode())"
    default = server.json("GET", "api/kernelspecs")["default"]
    kernel = server.json("POST", "api/kernels", {"name": default})
    try:
        results = execute(server, kernel["id"], [*codes, probe])
    finally:
        server.json("DELETE", f"api/kernels/{kernel['id']}")
    for code, result in zip([*codes, probe], results):
        assert result["status"] == "ok", (
            f"Cell failed in the server's kernel: {result['error']}\n{code}\n{result['stderr']}"
        )
    assert len(results) == len(codes) + 1
    stdout = "".join(result["stdout"] for result in results)
    assert f"prefix {sys.prefix}\n" in stdout, f"The kernel runs another Python:\n{stdout}"
    assert "mode fast\n" in stdout, f"CNN_COURSE_MODE=fast did not reach the kernel:\n{stdout}"
    running = [k["id"] for k in server.json("GET", "api/kernels")]
    assert kernel["id"] not in running, "The kernel survived DELETE /api/kernels/<id>"


def test_nbgrader_extensions_load_in_the_server_and_in_lab(server: LabServer):
    extensions = {item["name"]: item for item in server.json("GET", "lab/api/extensions")}
    assert "@jupyter/nbgrader" in extensions, f"Lab extensions: {sorted(extensions)}"
    nbgrader_lab = extensions["@jupyter/nbgrader"]
    assert nbgrader_lab["enabled"] and nbgrader_lab["status"] == "ok", nbgrader_lab
    version = nbgrader_lab["installed_version"]
    # Each nbgrader server extension answers; version checks say server and lab ext agree.
    assert server.json("GET", f"nbgrader_version?version={version}") == {"success": True}
    formgraders = server.json("GET", "formgraders")
    assert formgraders["success"], formgraders
    status, page = server.request("GET", "formgrader/manage_assignments")
    assert status == 200 and b"nbgrader formgrade" in page, (status, page[:300])
    status, page = server.request("GET", "lab")
    config = page.split(b'id="jupyter-config-data"', 1)[1].split(b"</script>", 1)[0]
    assert b"@jupyter/nbgrader" in config, "The lab page's config does not load nbgrader"


def test_validate_endpoint_reports_a_failing_test_cell(server: LabServer):
    """The server side of the notebook's Validate button validates a small nbgrader notebook."""
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("def answer():\n    raise NotImplementedError()")
    answer.metadata["nbgrader"] = {
        "grade": False, "grade_id": "answer", "locked": False, "schema_version": 3,
        "solution": True, "task": False,
    }  # fmt: skip
    check = nbformat.v4.new_code_cell("assert answer() == 42")
    check.metadata["nbgrader"] = {
        "grade": True, "grade_id": "check", "locked": True, "points": 1, "schema_version": 3,
        "solution": False, "task": False,
    }  # fmt: skip
    nb.cells = [answer, check]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = "scratch/validate-me.ipynb"
    server.json("PUT", "api/contents/scratch", {"type": "directory"})
    server.json(
        "PUT",
        f"api/contents/{path}",
        {"type": "notebook", "content": json.loads(nbformat.writes(nb))},
    )
    reply = server.json("POST", f"assignments/validate?path={path}", timeout=120)
    assert reply["success"], reply
    failed = reply["value"].get("failed", [])
    assert len(failed) == 1 and "NotImplementedError" in failed[0]["error"], reply


@pytest.mark.browser
def test_chromium_shows_the_rendered_lesson_and_keeps_a_screenshot(notebook_page):
    page, errors = notebook_page
    panel = page.locator(".jp-NotebookPanel").first
    assert panel.locator(".jp-Cell").count() > 10, "The notebook panel shows too few cells"
    assert panel.locator("h2", has_text="How these notebooks work").first.is_visible()
    assert page.locator(".jp-Notebook .jp-InputArea-editor").count() > 0  # code cells rendered
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"jupyterlab-{FIRST}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert page.get_by_text(NEWS_QUESTION).count() == 0, "JupyterLab asks about Jupyter news"
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.mark.browser
def test_chromium_shows_the_nbgrader_menu_and_validate_button(notebook_page):
    page, errors = notebook_page
    validate = page.locator(".jp-NotebookPanel .validate-button").first
    assert validate.is_visible(), "The notebook toolbar has no nbgrader Validate button"
    assert validate.inner_text().strip() == "Validate"
    page.get_by_role("menuitem", name="Nbgrader").first.click()
    menu = page.locator("#jp-mainmenu-nbgrader")
    menu.wait_for(state="visible", timeout=10_000)
    items = [line.strip() for line in menu.inner_text().splitlines() if line.strip()]
    assert items == NBGRADER_MENU_ITEMS, f"The Nbgrader menu shows {items}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-nbgrader-menu.png"))
    page.keyboard.press("Escape")
    assert errors == [], f"JavaScript errors on the page: {errors}"
