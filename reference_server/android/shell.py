"""A command line's commands and substitutions, as the phone's ``sh`` reads them.

:func:`parse` is :func:`~.sh.tokenize` seen from outside: the commands a line holds (each an
argument vector, expansions left as written) and the command substitutions it would run.
The virtual phones use it to spot uiautomator2's server being started; the tests use it to
show that a quoted value never becomes a command.
"""

from __future__ import annotations

from .sh import ShellSyntaxError, Word, tokenize

__all__ = ["ShellSyntaxError", "parse"]

_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "\n"})


def parse(line: str) -> tuple[list[list[str]], list[str]]:
    """Split ``line`` into commands (argv lists) and the command substitutions it would run."""
    commands: list[list[str]] = [[]]
    substitutions: list[str] = []
    for token in tokenize(line):
        if isinstance(token, Word):
            commands[-1].append(token.raw)
            substitutions += [part.value for part in token.parts if part.kind == "command"]
        elif token in _SEPARATORS:
            commands.append([])
        else:  # a redirection, as the words around it read it
            commands[-1].append(token)
    return [argv for argv in commands if argv], substitutions
