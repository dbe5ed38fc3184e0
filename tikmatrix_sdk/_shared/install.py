"""How to install an extra, said the same way by every message that needs one.

The package is not on PyPI yet: a hint that says ``pip install "tikmatrix-sdk[server]"``
sends the reader to an install that fails. Each hint names what works today.
"""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(extra: str) -> str:
    """How to get ``extra``: from a clone of the repository, or from a wheel built there."""
    return (
        f'python -m pip install ".[{extra}]" in a clone of the tikmatrix-sdk repository '
        f'(or "tikmatrix_sdk-VERSION-py3-none-any.whl[{extra}]" from a wheel built there; '
        "the package is not on PyPI yet)"
    )
