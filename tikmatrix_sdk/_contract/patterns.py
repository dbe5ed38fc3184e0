"""Selector patterns (``textMatches``, ``resourceIdMatches``…), matched in linear time.

A leased program sends the patterns, and Python's ``re`` backtracks: ``a*a*a*a*a*a*b``
against a field of 3,000 ``a`` holds the interpreter lock for hours, and with it every request
the server answers. Patterns are compiled with RE2 (the ``google-re2`` wheel), whose matching
time grows with the text, never exponentially; a pattern RE2 cannot compile (a back-reference,
a look-around) is refused as a bad argument (40001), by the same function wherever it is
checked: the reference server's device API, and the SDK's mock.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import re2

__all__ = [
    "MAX_PATTERN",
    "PATTERN_KEYS",
    "PatternError",
    "bad_patterns",
    "check_length",
    "re2_options",
    "selector_pattern",
]

#: The longest pattern a selector may hold.
MAX_PATTERN = 200
#: The selector keys whose values are patterns.
PATTERN_KEYS = frozenset(
    {
        "textMatches",
        "resourceIdMatches",
        "descriptionMatches",
        "classNameMatches",
        "packageNameMatches",
    }
)


class PatternError(ValueError):
    """A selector's pattern that is too long, or not one RE2 can match."""


def re2_options() -> Any:
    """RE2's options for a pattern from outside: quiet, and capturing nothing."""
    options = re2.Options()
    options.log_errors = False  # RE2 would print each refused pattern on the server's stderr
    options.never_capture = True
    return options


def check_length(text: str) -> None:
    """Refuse a pattern longer than :data:`MAX_PATTERN` (:class:`PatternError`)."""
    if len(text) > MAX_PATTERN:
        raise PatternError(f"pattern longer than {MAX_PATTERN} characters: {text[:50]!r}…")


@functools.lru_cache(maxsize=64)
def selector_pattern(text: str) -> Any:
    """``text`` compiled for ``fullmatch`` in linear time; :class:`PatternError` if refused."""
    check_length(text)
    try:
        return re2.compile(text, re2_options())
    except re2.error as error:
        said = error.args[0] if error.args else error
        reason = said.decode() if isinstance(said, bytes) else str(said)
        raise PatternError(f"not a pattern RE2 can match ({reason}): {text[:50]!r}") from None


def bad_patterns(value: Any, where: str = "params") -> Iterator[str]:
    """A message for each refused pattern in a selector, or in the selectors of a call's params."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in PATTERN_KEYS and isinstance(item, str):
                try:
                    selector_pattern(item)
                except PatternError as error:
                    yield f"{where}.{key}: {error}"
            else:
                yield from bad_patterns(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from bad_patterns(item, f"{where}[{index}]")
