"""Selector patterns (``textMatches``, ``resourceIdMatches``…), matched in linear time.

A leased program sends the patterns, and Python's ``re`` backtracks: ``a*a*a*a*a*a*b``
against a field of 3,000 ``a`` holds the interpreter lock for hours, and with it every request
the server answers. Patterns are compiled with RE2 (the ``google-re2`` wheel), whose matching
time grows with the text, never exponentially; a pattern RE2 cannot compile (a back-reference,
a look-around) is refused as a bad argument, by the same function wherever it is checked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import re2

__all__ = [
    "MAX_PATTERN",
    "PATTERN_KEYS",
    "PatternError",
    "bad_patterns",
    "line_matcher",
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


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print each refused pattern on the server's stderr
    options.never_capture = True
    return options


def _check_length(text: str) -> None:
    if len(text) > MAX_PATTERN:
        raise PatternError(f"pattern longer than {MAX_PATTERN} characters: {text[:50]!r}…")


@functools.lru_cache(maxsize=64)
def selector_pattern(text: str) -> Any:
    """``text`` compiled for ``fullmatch`` in linear time; :class:`PatternError` if refused."""
    _check_length(text)
    try:
        return re2.compile(text, _options())
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


def line_matcher(
    patterns: list[str], *, fixed: bool = False, ignore_case: bool = False
) -> Callable[[str], bool]:
    """Whether a line holds any of ``patterns`` (``grep``'s test), in linear time by RE2.

    ``fixed`` takes the patterns as plain text; :class:`PatternError` for a pattern that is
    too long or that RE2 cannot match.
    """
    for text in patterns:
        _check_length(text)
    sources = [re2.escape(text) if fixed else text for text in patterns]
    combined = "|".join(f"(?:{source})" for source in sources)
    try:
        compiled = re2.compile(("(?i)" if ignore_case else "") + combined, _options())
    except re2.error as error:
        raise PatternError(f"not a pattern RE2 can match: {error}") from None
    return lambda line: compiled.search(line) is not None
