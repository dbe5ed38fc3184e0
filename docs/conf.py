"""Sphinx configuration: Furo, MyST Markdown, autodoc from the docstrings, a build-time diagram.

The build needs no network: no intersphinx inventories are fetched (names from other projects
are listed in ``nitpick_ignore_regex`` below instead) and the lifecycle picture is drawn by a
``dot`` program installed from PyPI (``graphviz-pure``), never by a script from a CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pygments.lexers.special import TextLexer
from sphinx.application import Sphinx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import tikmatrix_sdk  # noqa: E402

project = "tikmatrix-sdk"
author = "tikmatrix-sdk contributors"
copyright = "2026, tikmatrix-sdk contributors"
release = tikmatrix_sdk.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.graphviz",
    "sphinx_copybutton",
    "sphinxarg.ext",
    "contract_tables",  # docs/_ext: the contract page's tables, drawn from the contract
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "conftest.py"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"tikmatrix-sdk {release}"
html_static_path = ["_static"]
html_css_files = ["extra.css"]
pygments_style = "friendly"
pygments_dark_style = "monokai"

# Copy buttons copy commands and code, never prompts or shown output.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_exclude = ".linenos, .gp, .go"
copybutton_line_continuation_character = "\\"

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

nitpicky = True
# Pygments' console lexer cannot read a quoted argument that goes on to the next line (a JSON
# body folded to fit the page, which a shell reads as one word); it falls back to a plainer
# highlighting of that block, which is all the warning says.
suppress_warnings = ["misc.highlighting_failure"]
# Names from other projects: without network there are no intersphinx inventories to
# resolve them against, so they are shown as plain text.
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(httpx|datetime|collections\.abc|typing|typing_extensions|enum|types)\..*",
    ),
    (r"py:.*", r"(Any|Self|Sequence|Mapping|Iterable|Iterator|AsyncIterator|Callable)"),
    (r"py:.*", r"(int|str|float|bool|bytes|dict|list|tuple|set|object|None|type)"),
    (r"py:.*", r"(Exception|ValueError|TimeoutError|BaseException|TracebackType)"),
    (
        r"py:.*",
        r"(argparse|pathlib|os|attrs|cattrs|_pytest|pytest|threading|subprocess)\..*",
    ),
    # The clients' shared base is generic in its httpx client class.
    (r"py:class", r"tikmatrix_sdk\._client\.(HttpT|ShellT)"),
    # Type variables, the raw-face marker and the page-data protocol are internal names.
    (r"py:class", r"tikmatrix_sdk\._\w+\.(T|M|ItemT|Raw|PageData|SyncMode|AsyncMode)"),
    # The same markers as the clients' resources name them (imported there for type checkers
    # only, so that importing the SDK does not load the resources' machinery).
    (r"py:class", r"(SyncMode|AsyncMode)"),
    # The fleet's type variables, and its results' generic base as the subclasses name it.
    (r"py:.*", r"tikmatrix_sdk\.fleet\._\w+\.(T|ClientT|ShellT|FleetResult)"),
    # The contract's Task, which the SDK's Task extends (a page's item_key names it).
    (r"py:class", r"tikmatrix_sdk\._contract\.shapes\.Task"),
]

# The lifecycle picture: Graphviz's dot, from the graphviz-pure wheel or a system install.
_BIN = str(Path(sys.executable).parent)
graphviz_dot = (
    shutil.which("graphviz-pure", path=_BIN)
    or shutil.which("graphviz-pure")
    or shutil.which("dot")
    or "dot"
)
graphviz_output_format = "svg"


def _factory_defaults(
    app: Sphinx,
    what: str,
    name: str,
    obj: object,
    options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None]:
    """Show the default of an attrs field made by a factory as ``...``, not ``NOTHING``."""
    if signature:
        signature = signature.replace("= NOTHING", "= ...")
    return signature, return_annotation


def setup(app: Sphinx) -> None:
    """Register the ``output`` lexer used for the shown output of examples."""
    app.add_lexer("output", TextLexer)
    app.connect("autodoc-process-signature", _factory_defaults)
