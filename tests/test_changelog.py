"""Versioned releases: the version in pyproject.toml has its CHANGELOG entry."""

from __future__ import annotations

import re

from cnncourse import notebooks

from conftest import ROOT

HEADING = re.compile(r"^## (\d{4})\.([12])\.(\d+) — (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def test_the_current_version_has_a_changelog_entry():
    version = notebooks.project().version
    assert re.fullmatch(r"\d{4}\.[12]\.\d+", version), (
        f"version {version!r} in pyproject.toml is not YEAR.TERM.PATCH with TERM 1 or 2"
    )
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## Unreleased" in text
    released = [".".join(m[:3]) for m in HEADING.findall(text)]
    assert version in released, f"CHANGELOG.md has no '## {version} — DATE' section"


def test_changelog_lists_releases_newest_first():
    text = (ROOT / "CHANGELOG.md").read_text()
    versions = [tuple(int(x) for x in m[:3]) for m in HEADING.findall(text)]
    assert versions == sorted(versions, reverse=True)
    assert text.index("## Unreleased") < text.index("## " + ".".join(map(str, versions[0])))
