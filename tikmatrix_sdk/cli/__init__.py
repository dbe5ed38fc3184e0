"""``tikmatrix``: the SDK from a shell (click for the commands, rich for tables and progress).

``tikmatrix --help`` lists the commands; shell completion comes from click
(``eval "$(_TIKMATRIX_COMPLETE=bash_source tikmatrix)"``).
"""

from ._app import cli, main
from ._exit import ExitStatus

__all__ = ["ExitStatus", "cli", "main"]
