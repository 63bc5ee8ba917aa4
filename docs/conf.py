"""Sphinx configuration of the sklearn-spectral documentation."""

import importlib.util
import os
import re
import sys
import warnings
from pathlib import Path

import sklearn_spectral

sys.path.insert(0, os.path.abspath("."))

project = "sklearn-spectral"
author = "sklearn-spectral developers"
copyright = "2024, sklearn-spectral developers"  # noqa: A001
version = release = sklearn_spectral.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"

# -- autosummary / numpydoc ---------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False


_TYPE_LINE = re.compile(r"^(\s*\*{0,2}\w+ : )(.*)$")
_TRAILING_UNDERSCORE = re.compile(r"(?<![\\\w])([A-Za-z]\w*?)_(?=\W|$)")


def _escape_fitted_names(app, what, name, obj, options, lines):
    """Escape ``n_features_in_`` in parameter and attribute type lines.

    numpydoc renders the type after ``name :`` as reStructuredText, where a
    word ending in ``_`` is a hyperlink reference; scikit-learn's convention
    ``ndarray of shape (n_features_in_,)`` would then be a broken link.
    """
    for k, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            lines[k] = match.group(1) + _TRAILING_UNDERSCORE.sub(
                r"\1\\_", match.group(2)
            )


def setup(app):
    """Run the escaping before numpydoc parses the docstrings."""
    app.connect("autodoc-process-docstring", _escape_fitted_names, priority=100)


# -- intersphinx ----------------------------------------------------------------
# Links resolve offline: no inventory is downloaded (the build must run without
# network access); references to other projects are written as plain text.
intersphinx_mapping = {}

# -- sphinx-gallery ---------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "backreferences_dir": "generated",
    "doc_module": ("sklearn_spectral",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
}

# Examples may hit max_iter on purpose to stay fast; keep their output clean.
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is")

# -- plot directive (the picture in the user guide) ------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]

# -- math, served by the built site ---------------------------------------------
# sphinx.ext.mathjax loads MathJax from a CDN by default, so offline the
# formulas stayed raw LaTeX. The docs extra installs sphinx-mathjax-offline,
# a package that ships the MathJax 3 files (no LaTeX install needed, unlike
# sphinx.ext.imgmath); its static/ folder is added to html_static_path, so
# the build copies them to _static/mathjax/ and the pages load them there.
_mathjax_package = importlib.util.find_spec("sphinx-mathjax-offline")
if _mathjax_package is None:
    raise ImportError(
        "The docs serve MathJax themselves: pip install sphinx-mathjax-offline "
        '(or pip install -e ".[docs]").'
    )
_MATHJAX_STATIC = Path(_mathjax_package.origin).parent / "static"
mathjax_path = "mathjax/tex-chtml.js"  # relative: resolved under _static/

# -- HTML -----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-spectral {version}"
html_static_path = ["_static", str(_MATHJAX_STATIC)]
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"install": [], "quick_start": []}

# -- The library's constants, stated once ------------------------------------
# The user guide writes |PENALTY_WARMUP| etc.; the numbers come from
# sklearn_spectral/_defaults.py (its Settings), so a change of a default is
# one edit.
from sklearn_spectral import _defaults  # noqa: E402

rst_epilog = "\n".join(
    f".. |{name}| replace:: {value:g}"
    for name, value in _defaults.documented_values().items()
)
