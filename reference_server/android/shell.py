"""How the virtual phone's ``sh`` reads a command line.

It splits like a POSIX shell: quotes make literals; unquoted ``;``, ``&&``, ``||``, ``|``,
``&`` and newlines separate commands; ``$(...)`` and backticks outside single quotes run a
command. So a value that reaches the phone unquoted behaves as it would on a real phone, and a
test can show that quoted values never do.
"""

from __future__ import annotations

import re
import shlex

__all__ = ["ShellSyntaxError", "parse"]


class ShellSyntaxError(ValueError):
    """The line cannot be parsed (an unterminated quote or substitution)."""


def parse(line: str) -> tuple[list[list[str]], list[str]]:
    """Split ``line`` into commands (argv lists) and the command substitutions it would run."""
    segments: list[str] = []
    substitutions: list[str] = []
    held: list[str] = []  # each substitution's text: one word, whatever spaces it holds
    current: list[str] = []
    quote = ""
    i = 0
    while i < len(line):
        char = line[i]
        if quote == "'":
            current.append(char)
            if char == "'":
                quote = ""
        elif char == "\\" and quote != "'":
            # a backslash escapes the next character; a last one stands for itself, as in sh
            current.append(line[i : i + 2] if i + 1 < len(line) else "\\\\")
            i += 1
        elif char == "$" and line[i + 1 : i + 2] == "(":
            end = _closing(line, i + 2)
            substitutions.append(line[i + 2 : end])
            current.append(_hold(held, line[i : end + 1]))
            i = end
        elif char == "`":
            end = line.find("`", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated `")
            substitutions.append(line[i + 1 : end])
            current.append(_hold(held, line[i : end + 1]))
            i = end
        elif quote == '"':
            current.append(char)
            if char == '"':
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char in ";&|\n":
            segments.append("".join(current))
            current = []
            if line[i + 1 : i + 2] == char and char in "&|":
                i += 1
        else:
            current.append(char)
        i += 1
    if quote:
        raise ShellSyntaxError(f"unterminated {quote}")
    segments.append("".join(current))
    try:
        commands = [shlex.split(segment) for segment in segments if segment.strip()]
    except ValueError as exc:
        raise ShellSyntaxError(str(exc)) from exc
    return [[_release(held, word) for word in argv] for argv in commands], substitutions


def _hold(held: list[str], text: str) -> str:
    """A placeholder word for ``text`` that no split can cut."""
    held.append(text)
    return f"\x00{len(held) - 1}\x00"


def _release(held: list[str], word: str) -> str:
    return re.sub("\x00(\\d+)\x00", lambda m: held[int(m.group(1))], word)


def _closing(line: str, start: int) -> int:
    depth = 1
    for index in range(start, len(line)):
        if line[index] == "(":
            depth += 1
        elif line[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ShellSyntaxError("unterminated $(")
