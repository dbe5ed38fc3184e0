"""Where public classes say they live: ``tikmatrix_sdk``, where users import them from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["say_public"]


def say_public(names: Iterable[str], namespace: Mapping[str, object]) -> None:
    """Give the classes among ``names`` the module ``tikmatrix_sdk`` (httpx does the same).

    The API reference, tracebacks and reprs then name ``tikmatrix_sdk.Task``, not a private
    module. Each defining module calls this for its public classes as it loads, so a class
    says the same thing whichever way it was first reached.
    """
    for name in names:
        value = namespace[name]
        if isinstance(value, type) and value.__module__.startswith("tikmatrix_sdk."):
            value.__module__ = "tikmatrix_sdk"
