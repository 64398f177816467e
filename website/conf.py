"""Sphinx configuration of the course website (built by ``website/build.py``, not by hand).

The lesson notebooks arrive already executed (outputs copied from the masters), so Sphinx
executes nothing: the build needs no kernel and no network. Math is typeset by MathJax, which
the browser loads from a CDN when a page is viewed.
"""

project = "Convolutional neural networks, from intuition to segmentation"
author = "The course authors"
copyright = "the course authors, MIT licence"

extensions = ["myst_nb"]

# Never execute in Sphinx: build.py has copied the masters' outputs into the released notebooks.
nb_execution_mode = "off"
nb_merge_streams = True
nb_output_stderr = "remove"
myst_enable_extensions = ["amsmath", "colon_fence", "dollarmath"]
myst_heading_anchors = 3

exclude_patterns = ["**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_title = "CNN course"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
}
