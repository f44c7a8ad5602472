"""Sphinx configuration of the atomspin manual.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The API reference is generated from the numpydoc docstrings (autodoc + napoleon); Markdown pages are read
by MyST; the notebooks in ``notebooks/`` are rendered as tutorials by myst-nb without executing them (they
are stored without outputs; CI executes them separately, tests/test_notebooks.py).
"""
import os
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # document this checkout, not an installed copy
os.environ.setdefault("MPLBACKEND", "Agg")

import atomspin  # noqa: E402

project = "atomspin"
author = "the atomspin developers"
copyright = "the atomspin developers, BSD-3-Clause"
release = version = atomspin.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_nb",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"

# --- autodoc / napoleon (numpydoc style) -----------------------------------------------------------------
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # types are stated in the numpydoc "Parameters" sections, with units
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True
napoleon_custom_sections = [("Hamiltonian", "notes_style"), ("Sources", "notes_style"),
                            ("Conventions", "notes_style")]

# Ambiguous short names in numpydoc type fields ("m", "seed", "field" are attributes of several result
# classes) are not errors of the docstrings; every other warning is (the build runs with -W).
suppress_warnings = ["ref.python"]


def _escape_bars(app, what, name, obj, options, lines):
    """Docstrings write |M|, |x| for absolute values (readable in ``help()``); reST would read |M| as a
    substitution. Escape such bars for the manual only, outside literal blocks, inline literals and tables."""
    literal_indent = None  # indentation of the paragraph that opened a ``::`` literal block
    for k, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if stripped and indent <= literal_indent:
                literal_indent = None
            else:
                continue
        if stripped.endswith("::"):
            literal_indent = indent
        if "|" not in line or stripped.startswith(("|", "+")):  # line blocks and grid tables stay
            continue
        parts = re.split(r"(``.*?``)", line)  # inline literals stay
        lines[k] = "".join(s if s.startswith("``") else re.sub(r"(?<!\\)\|", r"\\|", s) for s in parts)


# --- MyST / myst-nb ---------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # notebooks are stored without outputs and executed by tests/test_notebooks.py
nb_merge_streams = True

# --- HTML ---------------------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"atomspin {release}"
html_static_path = []

# --- notebooks as tutorials: copied from notebooks/ (the one source) at each build -----------------------
TUTORIALS = DOCS / "tutorials"


def _copy_notebooks(app):
    TUTORIALS.mkdir(exist_ok=True)
    for old in TUTORIALS.glob("*.ipynb"):
        old.unlink()
    for nb in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        shutil.copy2(nb, TUTORIALS / nb.name)


def setup(app):
    app.connect("builder-inited", _copy_notebooks)
    app.connect("autodoc-process-docstring", _escape_bars)
