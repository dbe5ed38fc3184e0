"""``python -m tikmatrix_sdk.cli``: the same as ``tikmatrix``."""

from . import main

main()
