"""Binder: repo2docker builds the course from environment.yml, which defers to pyproject.toml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def render_dockerfile(repo: Path) -> str:
    """The Dockerfile repo2docker would build for ``repo`` (rendered offline, no Docker)."""
    repo2docker = Path(sys.executable).parent / "repo2docker"
    assert repo2docker.exists(), "repo2docker is missing: run `make setup`"
    done = subprocess.run(
        [str(repo2docker), "--no-build", "--no-run", "--debug", str(repo)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + done.stderr


@pytest.mark.slow
def test_binder_installs_the_course_after_copying_the_repository(tmp_path):
    for name in ("environment.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    dockerfile = render_dockerfile(tmp_path)
    assert "Building conda environment for python=3.11" in dockerfile
    copy_repo = dockerfile.index("COPY --chown")  # the first COPY of build scripts
    copy_repo = dockerfile.index("src/ ${REPO_DIR}/", copy_repo)
    env_update = dockerfile.index('--file "environment.yml"')
    assert copy_repo < env_update, (
        "repo2docker installs environment.yml before the repository is copied, so `-e .` "
        "would find no project: keep a local pip requirement in environment.yml"
    )


def test_environment_yml_repeats_no_version_from_pyproject():
    text = (ROOT / "environment.yml").read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("- ")]
    assert "- -e .[course]" in lines, "environment.yml must install the project itself"
    pinned = [line for line in lines if re.search(r"[=<>]", line) and "python=" not in line]
    assert not pinned, f"versions belong in pyproject.toml, not environment.yml: {pinned}"
