"""The feedback page's exporter: nbconvert's HTML exporter, its accessibility edits made on the
rendered tags instead of a parsed copy of the page.

nbconvert's ``HTMLExporter`` renders the page, then parses all of it again with BeautifulSoup
(``html.parser``) to give every image without alternative text a placeholder and to make
input and output areas focusable, and serialises the tree back: about 0.5 s of CPU for one
lesson's feedback, as much as the rest of the step (the syntax-highlighted code is thousands
of tags). :class:`FeedbackExporter` makes the same three edits on the rendered text
(:func:`accessible`). The page is the same document; its source keeps the template's character
references (``&#39;``, ``&quot;``), which BeautifulSoup's rewrite turns back into characters, so
read it as HTML (``html.unescape``), not as plain text. A job's ``generate_feedback`` uses it
(``job.job_config``); plain ``nbgrader generate_feedback`` keeps nbconvert's.
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

NO_ALT = "No description has been provided for this image"  # nbconvert's own placeholder
FOCUSABLE = ("jp-Cell-inputWrapper", "jp-OutputArea-output")  # the areas nbconvert focuses
_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_DIV = re.compile(r"<div\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)
_TABINDEX = re.compile(r"""\stabindex\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _with_attribute(tag: str, attribute: str) -> str:
    """``tag`` (an opening tag's text) with ``attribute`` added after its name."""
    name = re.match(r"<\w+", tag).group(0)
    return f"{name} {attribute}{tag[len(name) :]}"


def _focused(tag: str) -> str:
    """A ``div`` opening tag with ``tabindex="0"`` when it is an input or output area (an own
    ``tabindex`` is replaced, as nbconvert does), else unchanged."""
    found = _CLASS.search(tag)
    classes = (found.group(1) or found.group(2) or "").split() if found else []
    if not any(name in classes for name in FOCUSABLE):
        return tag
    return _with_attribute(_TABINDEX.sub("", tag), 'tabindex="0"')


def _described(tag: str) -> str:
    """An ``img`` tag with nbconvert's placeholder ``alt`` when it has none."""
    return tag if _ALT.search(tag) else _with_attribute(tag, f'alt="{NO_ALT}"')


def accessible(page: str) -> str:
    """``page`` with nbconvert's accessibility edits: an ``alt`` placeholder on every image that
    has none, ``tabindex="0"`` on every input and output area (``jp-Cell-inputWrapper``,
    ``jp-OutputArea-output``)."""
    page = _IMAGE.sub(lambda m: _described(m.group(0)), page)
    return _DIV.sub(lambda m: _focused(m.group(0)), page)


class FeedbackExporter(HTMLExporter):
    """``HTMLExporter`` (same templates, filters and configuration: its config sections apply)
    whose accessibility edits are made by :func:`accessible`."""

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any):  # noqa: ANN201
        # What HTMLExporter.from_notebook_node does before rendering, then the rendering itself.
        info = nb.metadata.get("language_info", {})
        lexer = info.get("pygments_lexer", info.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_types)
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        missing = sum(1 for m in _IMAGE.finditer(page) if not _ALT.search(m.group(0)))
        if missing:
            self.log.warning("Alternative text is missing on %s image(s).", missing)
        return accessible(page), resources
