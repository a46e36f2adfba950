"""Sphinx configuration for the convx documentation.

Build (warnings are errors, as in CI):  python -m sphinx -W -b html docs docs/_build/html
It documents the convx that Python imports: build it in place or install it first.
"""
import convx

project = "convx"
author = "the convx developers"
copyright = "2026, the convx developers"
release = convx.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autodoc_typehints = "none"            # the signatures come from the code, the types from numpydoc
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "*.md"]
html_theme = "alabaster"
html_static_path = []
html_title = f"convx {release}"
