"""The job's feedback exporter makes nbconvert's accessibility edits without parsing the page."""

from __future__ import annotations

import base64

import nbformat
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnncourse.grader.feedback import NO_ALT, FeedbackExporter, accessible

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)).decode()  # fmt: skip


def notebook() -> nbformat.NotebookNode:
    figure = new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
    html = (
        '<img src="a.png" alt="a described image"><img src=\'b.png\'>'
        '<div class="jp-OutputArea-output x" tabindex="-1">kept</div><div class="other">no</div>'
    )
    shown = new_output("display_data", data={"text/html": html, "text/plain": "html"})
    printed = new_output("stream", name="stdout", text="<img src=not-a-tag.png>\n")
    return new_notebook(
        cells=[
            new_markdown_cell("# A title\n\n![a picture](pic.png)"),
            new_code_cell("def f(x):\n    return x + 1\n\nprint(f(1))", outputs=[printed]),
            new_code_cell("plt.plot([1, 2])", outputs=[figure, shown]),
        ],
        metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}},
    )


def test_feedback_page_is_nbconvert_s_page_with_the_same_edits():
    nb = notebook()
    theirs, _ = HTMLExporter().from_notebook_node(nb)
    ours, _ = FeedbackExporter().from_notebook_node(nb)
    # The same document (tags, attributes, text), though not byte for byte: nbconvert writes
    # the page back out of BeautifulSoup's tree.
    assert BeautifulSoup(ours, "html.parser") == BeautifulSoup(theirs, "html.parser")
    assert ours.count(f'alt="{NO_ALT}"') == 2  # the figure and b.png
    assert "a described image" in ours and "&lt;img src=not-a-tag.png&gt;" in ours


def test_accessible_adds_an_alt_where_missing_and_focuses_every_area():
    page = (
        '<IMG SRC="x.png"><img alt="" src="y.png"><div class="jp-Cell-inputWrapper">'
        "<div class='a jp-OutputArea-output'><div class=\"jp-OutputArea-outputs\">"
        '<div class="jp-Cell-inputWrapper" tabindex="2">'
    )
    assert accessible(page) == (
        f'<IMG alt="{NO_ALT}" SRC="x.png"><img alt="" src="y.png">'
        '<div tabindex="0" class="jp-Cell-inputWrapper">'
        '<div tabindex="0" class=\'a jp-OutputArea-output\'><div class="jp-OutputArea-outputs">'
        '<div tabindex="0" class="jp-Cell-inputWrapper">'
    )
