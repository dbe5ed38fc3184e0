"""``python -m reference_server``: the same as ``tikmatrix-server``."""

import sys

from .cli import main

sys.exit(main())
