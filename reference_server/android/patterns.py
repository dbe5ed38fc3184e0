"""``grep``'s patterns on a phone, matched in linear time by RE2 as selector patterns are.

The selector patterns' rule (their length, RE2, the refusal) is the contract's
(:mod:`tikmatrix_sdk._contract.patterns`); a shell's ``grep`` uses the same bound and options.
"""

from __future__ import annotations

from collections.abc import Callable

import re2

from tikmatrix_sdk._contract.patterns import PatternError, check_length, re2_options

__all__ = ["compile_pattern", "line_matcher"]


def compile_pattern(text: str, *, ignore_case: bool = False) -> re2._Regexp:
    r"""One pattern (``sed``'s, ``awk``'s) compiled by RE2, under the selector patterns' bound.

    Unlike a selector's, its groups capture (``sed``'s ``\1``). :class:`PatternError` for a
    pattern that is too long or that RE2 cannot match.
    """
    check_length(text)
    return _compiled(text, ignore_case=ignore_case, capture=True)


def _compiled(source: str, *, ignore_case: bool, capture: bool) -> re2._Regexp:
    """``source`` compiled by RE2 with the contract's options; a refusal is a PatternError."""
    options = re2_options()
    options.never_capture = not capture
    try:
        return re2.compile(("(?i)" if ignore_case else "") + source, options)
    except re2.error as error:
        raise PatternError(f"not a pattern RE2 can match: {error}") from None


def line_matcher(
    patterns: list[str], *, fixed: bool = False, ignore_case: bool = False
) -> Callable[[str], bool]:
    """Whether a line holds any of ``patterns`` (``grep``'s test), in linear time by RE2.

    ``fixed`` takes the patterns as plain text; :class:`PatternError` for a pattern that is
    too long or that RE2 cannot match.
    """
    for text in patterns:
        check_length(text)
    sources = [re2.escape(text) if fixed else text for text in patterns]
    combined = "|".join(f"(?:{source})" for source in sources)
    compiled = _compiled(combined, ignore_case=ignore_case, capture=False)
    return lambda line: compiled.search(line) is not None
