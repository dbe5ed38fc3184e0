"""The toybox tools scripts lean on: ``test``/``[``, ``wc``, ``head``, ``tail``, ``sed``, ``awk``.

They answer as Android 13's toybox does for the forms scripts use, with its messages and
exit statuses; patterns are matched by RE2, in linear time, as ``grep``'s are. :class:`TextTools`
is mixed into the phone (:class:`~.system.AndroidSystem`), whose storage it reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs
import re2

from tikmatrix_sdk._contract.patterns import PatternError

from .patterns import compile_pattern
from .sh import Done
from .tools import AndroidTools

__all__ = ["TextTools", "bre_to_ere", "sed_replacement"]

#: The widest field and the most digits ``printf`` writes, and the most words ``test`` and
#: ``awk`` read: a command's output and its work stay small.
MAX_PRINTF_WIDTH, MAX_TEST_WORDS, MAX_AWK_PROGRAM = 10_000, 256, 4096
_UNARY_FILE = {"-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h"}
_NUMBER_TESTS: dict[str, Callable[[int, int], bool]] = {
    "-eq": lambda a, b: a == b,
    "-ne": lambda a, b: a != b,
    "-lt": lambda a, b: a < b,
    "-le": lambda a, b: a <= b,
    "-gt": lambda a, b: a > b,
    "-ge": lambda a, b: a >= b,
}


class _Usage(Exception):
    """A tool's usage error: its message, and status 2 (``test``) or 1."""


def bre_to_ere(pattern: str) -> str:
    r"""A basic regular expression (sed's default) as an extended one (RE2's).

    In a BRE ``\(``, ``\)``, ``\{``, ``\}``, ``\+``, ``\?`` and ``\|`` are operators and
    the bare characters are literal: the two swap.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            following = pattern[i + 1]
            out.append(following if following in "(){}+?|" else char + following)
            i += 2
            continue
        out.append("\\" + char if char in "(){}+?|" else char)
        i += 1
    return "".join(out)


def sed_replacement(text: str) -> str:
    r"""Sed's replacement (``&``, ``\1``…``\9``, ``\&``, ``\n``) as RE2's (``\g<0>``…)."""

    def one(found: re.Match[str]) -> str:
        escaped = found.group(1)
        if escaped is None:  # "&", or a backslash that ends the text
            return "\\g<0>" if found.group(0) == "&" else "\\\\"
        if escaped.isdigit():
            return f"\\g<{escaped}>"
        return "\n" if escaped == "n" else escaped.replace("\\", "\\\\")

    return _SED_ESCAPE.sub(one, text)


_SED_ESCAPE = re.compile(r"\\(.)|&|\\$", re.DOTALL)


@attrs.frozen
class _SedCommand:
    """One command of a sed script: where it applies, and what it does."""

    address: str  # "", a line number, "$", or "/regex/"
    kind: str  # "s", "d", "p", "q"
    pattern: str = ""
    replacement: str = ""
    flags: str = ""


_SED_ADDRESS = re.compile(r"^(\d+|\$|/(?:[^/\\]|\\.)*/)?")


def _sed_script(script: str) -> list[_SedCommand]:
    """The commands of a sed script (``;`` or newlines between them)."""
    commands: list[_SedCommand] = []
    rest = script.strip()
    while rest:
        found = _SED_ADDRESS.match(rest)
        address = found.group(1) or "" if found else ""
        rest = rest[len(address) :].lstrip()
        if not rest:
            raise _Usage(f"sed: no command after '{address}'")
        kind, rest = rest[0], rest[1:]
        if kind == "s":
            if not rest:
                raise _Usage("sed: unterminated s")
            delimiter = rest[0]
            pieces = _split_unescaped(rest[1:], delimiter, 2)
            if len(pieces) < 3:
                raise _Usage(f"sed: unterminated s{delimiter}")
            pattern, replacement, tail = pieces
            flags = re.match(r"[gpI0-9]*", tail)
            taken = flags.group(0) if flags else ""
            commands.append(_SedCommand(address, "s", pattern, replacement, taken))
            rest = tail[len(taken) :]
        elif kind in "dpq":
            commands.append(_SedCommand(address, kind))
        else:
            raise _Usage(f"sed: unknown command '{kind}'")
        rest = rest.lstrip().lstrip(";\n").lstrip()
    return commands


def _split_unescaped(text: str, delimiter: str, count: int) -> list[str]:
    """``text`` split at the first ``count`` unescaped ``delimiter``s.

    An escaped delimiter is kept as the delimiter itself.
    """
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i + 1] if text[i + 1] == delimiter else text[i : i + 2])
            i += 2
            continue
        if char == delimiter and len(pieces) < count:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return pieces


class TextTools(AndroidTools):
    """``test``, ``[``, ``wc``, ``head``, ``tail``, ``sed`` and ``awk``; the phone gives input."""

    def _inputs(self, names: list[str]) -> list[tuple[str, bytes]]:
        """Each named file's bytes (standard input when none is named, or for ``-``)."""
        if not names:
            return [("", self._stdin)]
        found = []
        for name in names:
            if name == "-":
                found.append(("-", self._stdin))
                continue
            data = self.read_file(name)
            if data is None:
                raise FileNotFoundError(f"{name}: No such file or directory")
            found.append((name, data))
        return found

    # -- printf -------------------------------------------------------------------------------

    def _cmd_printf(self, args: list[str]) -> Done:
        """``printf FORMAT [ARG…]``: the format used again while arguments are left."""
        if not args:
            return Done(err=b"printf: Needs 1 argument\n", status=1)
        out: list[str] = []
        rest = args[1:]
        while True:
            text, used, problem = _printf_once(args[0], rest)
            out.append(text)
            if problem:
                return Done(
                    out="".join(out).encode(), err=f"printf: {problem}\n".encode(), status=1
                )
            rest = rest[used:]
            if not rest or not used:
                break
        return Done(out="".join(out).encode())

    # -- test ---------------------------------------------------------------------------------

    def _cmd_test(self, args: list[str]) -> Done:
        try:
            return Done(status=0 if self._test(args) else 1)
        except _Usage as error:
            return Done(err=f"test: {error}\n".encode(), status=2)

    def bracket(self, args: list[str]) -> Done:
        """``[ EXPRESSION ]``: ``test``, with the closing bracket it must have."""
        if not args or args[-1] != "]":
            return Done(err=b"[: missing ]\n", status=2)
        try:
            return Done(status=0 if self._test(args[:-1]) else 1)
        except _Usage as error:
            return Done(err=f"[: {error}\n".encode(), status=2)

    def _test(self, args: list[str]) -> bool:
        """A ``test`` expression: ``!``, ``-a`` and ``-o`` over the primaries."""
        if len(args) > MAX_TEST_WORDS:
            raise _Usage(f"more than {MAX_TEST_WORDS} words")
        if "-o" in args[1:-1]:
            at = args.index("-o", 1)
            return self._test(args[:at]) or self._test(args[at + 1 :])
        if "-a" in args[1:-1]:
            at = args.index("-a", 1)
            return self._test(args[:at]) and self._test(args[at + 1 :])
        if args[:1] == ["!"]:
            return not self._test(args[1:])
        if not args:
            return False
        if len(args) == 1:
            return args[0] != ""
        if len(args) == 2:
            return self._unary(args[0], args[1])
        if len(args) == 3:
            return self._binary(args[0], args[1], args[2])
        raise _Usage(f"extra operand '{args[3]}'")

    def _unary(self, operator: str, operand: str) -> bool:
        if operator == "-n":
            return operand != ""
        if operator == "-z":
            return operand == ""
        if operator in _UNARY_FILE:
            file = self.path(operand)
            if operator == "-d":
                return file.is_dir()
            if operator == "-f":
                return file.is_file()
            if operator == "-s":
                return file.is_file() and file.stat().st_size > 0
            if operator in ("-L", "-h"):
                return False  # the sandbox holds no links
            return file.exists()
        raise _Usage(f"unknown operand '{operator}'")

    def _binary(self, left: str, operator: str, right: str) -> bool:
        if operator in ("=", "=="):
            return left == right
        if operator == "!=":
            return left != right
        if operator in _NUMBER_TESTS:
            try:
                return _NUMBER_TESTS[operator](int(left), int(right))
            except ValueError:
                bad = left if not left.lstrip("-").isdigit() else right
                raise _Usage(f"bad number '{bad}'") from None
        raise _Usage(f"unknown operand '{operator}'")

    # -- wc, head, tail -------------------------------------------------------------------------

    def _cmd_wc(self, args: list[str]) -> Done:
        flags = "".join(a[1:] for a in args if a.startswith("-") and len(a) > 1)
        names = [a for a in args if not a.startswith("-") or a == "-"]
        wanted = [c for c in "lwc" if c in flags] or ["l", "w", "c"]
        lines = []
        totals = dict.fromkeys("lwc", 0)
        for name, data in self._inputs(names):
            counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
            for key in totals:
                totals[key] += counts[key]
            lines.append(" ".join([*(str(counts[c]) for c in wanted), *([name] if name else [])]))
        if len(names) > 1:
            lines.append(" ".join([*(str(totals[c]) for c in wanted), "total"]))
        return Done(out="".join(line + "\n" for line in lines).encode())

    def _count_option(self, args: list[str], tool: str) -> tuple[str, list[str]]:
        """``-n N``, ``-nN`` or ``-N``: the count as written, and the other arguments."""
        count, rest = "10", []
        words = iter(args)
        for word in words:
            if word == "-n":
                count = next(words, "")
            elif word.startswith("-n"):
                count = word[2:]
            elif re.fullmatch(r"-\d+", word):
                count = word[1:]
            elif word.startswith("-") and word != "-":
                raise _Usage(f"{tool}: unknown option '{word}'")
            else:
                rest.append(word)
        if not re.fullmatch(r"[+-]?\d+", count):
            raise _Usage(f"{tool}: invalid number '{count}'")
        return count, rest

    def _cmd_head(self, args: list[str]) -> Done:
        return self._some_lines("head", args, _first_lines)

    def _cmd_tail(self, args: list[str]) -> Done:
        return self._some_lines("tail", args, _last_lines)

    def _some_lines(
        self, tool: str, args: list[str], pick: Callable[[list[bytes], str], list[bytes]]
    ) -> Done:
        """``head`` or ``tail``: the lines ``pick`` takes of each input.

        Several inputs get a header each, as toybox writes it.
        """
        try:
            count, names = self._count_option(args, tool)
        except _Usage as error:
            return Done(err=f"{error}\n".encode(), status=1)
        out = bytearray()
        inputs = self._inputs(names)
        for index, (name, data) in enumerate(inputs):
            if len(inputs) > 1:
                out += f"{'' if index == 0 else chr(10)}==> {name} <==\n".encode()
            out += b"".join(pick(data.splitlines(keepends=True), count))
        return Done(out=bytes(out))

    # -- sed ------------------------------------------------------------------------------------

    def _cmd_sed(self, args: list[str]) -> Done:
        """``sed [-n] [-E|-r] [-i] [-e SCRIPT]… [SCRIPT] [FILE…]``: s, d, p and q."""
        quiet = extended = in_place = False
        scripts: list[str] = []
        names: list[str] = []
        words = iter(args)
        for word in words:
            if word == "-e":
                scripts.append(next(words, ""))
            elif word.startswith("-") and len(word) > 1 and set(word[1:]) <= set("nErsi"):
                quiet = quiet or "n" in word
                extended = extended or "E" in word or "r" in word
                in_place = in_place or "i" in word
            elif not scripts:
                scripts.append(word)
            else:
                names.append(word)
        if not scripts:
            return Done(err=b"usage: sed [-inEr] [-e SCRIPT]... SCRIPT [FILE...]\n", status=1)
        try:
            commands = _sed_script("\n".join(scripts))
            programs = [self._sed_compiled(command, extended) for command in commands]
        except _Usage as error:
            return Done(err=f"{error}\n".encode(), status=1)
        except PatternError as error:
            return Done(err=f"sed: {error}\n".encode(), status=1)
        out = bytearray()
        for name, data in self._inputs(names):
            edited = _run_sed(data.decode("utf-8", "replace"), commands, programs, quiet)
            if in_place and name not in ("", "-"):
                problem = self.write_file(name, edited.encode(), append=False)
                if problem:
                    return Done(err=f"sed: {problem}\n".encode(), status=1)
            else:
                out += edited.encode()
        return Done(out=bytes(out))

    @staticmethod
    def _sed_compiled(command: _SedCommand, extended: bool) -> _SedProgram:
        def regex(text: str, ignore_case: bool = False) -> re2._Regexp | None:
            if not text:
                return None
            return compile_pattern(text if extended else bre_to_ere(text), ignore_case=ignore_case)

        address = None
        if command.address.startswith("/"):
            address = regex(command.address[1:-1])
        pattern = regex(command.pattern, "I" in command.flags) if command.kind == "s" else None
        return _SedProgram(address=address, pattern=pattern)

    # -- awk ------------------------------------------------------------------------------------

    def _cmd_awk(self, args: list[str]) -> Done:
        """``awk [-F SEP] 'PROGRAM' [FILE…]``: rules of a pattern and a ``print``."""
        separator: str | None = None
        words = list(args)
        if words[:1] == ["-F"] and len(words) > 1:
            separator, words = words[1], words[2:]
        elif words and words[0].startswith("-F"):
            separator, words = words[0][2:], words[1:]
        if not words:
            return Done(err=b"usage: awk [-F SEP] PROGRAM [FILE...]\n", status=2)
        if len(words[0]) > MAX_AWK_PROGRAM:
            return Done(err=f"awk: program longer than {MAX_AWK_PROGRAM}\n".encode(), status=2)
        try:
            rules = _awk_program(words[0])
        except _Usage as error:
            return Done(err=f"awk: {error}\n".encode(), status=2)
        except PatternError as error:
            return Done(err=f"awk: {error}\n".encode(), status=2)
        out: list[str] = []
        number = 0
        for rule in rules:
            if rule.pattern == "BEGIN":
                out += rule.run([], 0, separator)
        last: list[str] = []
        for _, data in self._inputs(words[1:]):
            for line in data.decode("utf-8", "replace").splitlines():
                number += 1
                last = [line]
                for rule in rules:
                    if rule.pattern not in ("BEGIN", "END") and rule.matches(
                        line, number, separator
                    ):
                        out += rule.run([line], number, separator)
        for rule in rules:
            if rule.pattern == "END":
                out += rule.run(last, number, separator)
        return Done(out="".join(line + "\n" for line in out).encode())


def _first_lines(lines: list[bytes], count: str) -> list[bytes]:
    """``head -n COUNT``: the first lines (a negative count: all but the last)."""
    return lines[: int(count)]


def _last_lines(lines: list[bytes], count: str) -> list[bytes]:
    """``tail -n COUNT``: the last lines (``+N``: from line N on)."""
    if count.startswith("+"):
        return lines[max(0, int(count) - 1) :]
    number = abs(int(count))
    return lines[-number:] if number else []


@attrs.frozen
class _SedProgram:
    address: re2._Regexp | None
    pattern: re2._Regexp | None


def _run_sed(
    text: str, commands: list[_SedCommand], programs: list[_SedProgram], quiet: bool
) -> str:
    lines = text.splitlines()
    ends_with_newline = text.endswith("\n") or not text
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        deleted = False
        last = number == len(lines)
        for command, program in zip(commands, programs, strict=True):
            if not _sed_applies(command, program, line, number, last):
                continue
            if command.kind == "d":
                deleted = True
                break
            if command.kind == "p":
                out.append(line)
            elif command.kind == "q":
                if not quiet:
                    out.append(line)
                return "".join(item + "\n" for item in out)
            elif command.kind == "s" and program.pattern is not None:
                count = 0 if "g" in command.flags else 1
                replaced = program.pattern.sub(
                    sed_replacement(command.replacement), line, count=count
                )
                if replaced != line and "p" in command.flags:
                    out.append(replaced)
                line = replaced
        if not deleted and not quiet:
            out.append(line)
    result = "".join(item + "\n" for item in out)
    return result if ends_with_newline else result.removesuffix("\n")


def _sed_applies(
    command: _SedCommand, program: _SedProgram, line: str, number: int, last: bool
) -> bool:
    if not command.address:
        return True
    if command.address == "$":
        return last
    if command.address.isdigit():
        return number == int(command.address)
    return program.address is not None and program.address.search(line) is not None


# -- awk's small language: patterns and print --------------------------------------------------

_AWK_RULE = re.compile(
    r"\s*(?P<pattern>BEGIN|END|/(?:[^/\\]|\\.)*/|[^{]*?)\s*\{(?P<action>[^}]*)\}\s*;?"
)
_AWK_COMPARE = re.compile(r"^(\$\d+|NR|NF)\s*(==|!=|>=|<=|>|<)\s*(\"[^\"]*\"|-?\d+)$")


@attrs.frozen
class _AwkRule:
    pattern: str
    items: tuple[str, ...]  # what ``print`` prints, each an expression
    regex: re2._Regexp | None = None

    def matches(self, line: str, number: int, separator: str | None) -> bool:
        if not self.pattern:
            return True
        if self.regex is not None:
            return self.regex.search(line) is not None
        found = _AWK_COMPARE.match(self.pattern)
        if found is None:
            return False
        left = _awk_value(found.group(1), line, number, separator)
        right = found.group(3).strip('"')
        operator = found.group(2)
        if right.lstrip("-").isdigit() and left.lstrip("-").isdigit():
            a, b = int(left), int(right)
            return bool(
                {"==": a == b, "!=": a != b, ">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[
                    operator
                ]
            )
        return (left == right) == (operator == "==") if operator in ("==", "!=") else False

    def run(self, line: list[str], number: int, separator: str | None) -> list[str]:
        text = line[0] if line else ""
        if not self.items:
            return [text]
        return [" ".join(_awk_value(item, text, number, separator) for item in self.items)]


def _fields(line: str, separator: str | None) -> list[str]:
    if separator is None or separator == " ":
        return line.split()
    return line.split("\t" if separator in ("\\t", "\t") else separator)


def _awk_value(item: str, line: str, number: int, separator: str | None) -> str:
    item = item.strip()
    if item == "NR":
        return str(number)
    if item == "NF":
        return str(len(_fields(line, separator)))
    if item.startswith('"') and item.endswith('"') and len(item) >= 2:
        return item[1:-1].replace("\\n", "\n").replace("\\t", "\t")
    if item == "$NF":
        fields = _fields(line, separator)
        return fields[-1] if fields else ""
    if re.fullmatch(r"\$\d+", item):
        index = int(item[1:])
        if index == 0:
            return line
        fields = _fields(line, separator)
        return fields[index - 1] if index <= len(fields) else ""
    if re.fullmatch(r"-?\d+", item):
        return item
    raise _Usage(f"cannot print '{item}' (this awk prints fields, NR, NF and strings)")


def _awk_program(program: str) -> list[_AwkRule]:
    rules: list[_AwkRule] = []
    rest = program.strip()
    if rest and "{" not in rest:  # a pattern alone prints the lines it matches
        rest += " {print}"
    while rest:
        found = _AWK_RULE.match(rest)
        if found is None or not found.group(0).strip():
            raise _Usage(f"syntax error at '{rest[:20]}'")
        pattern = found.group("pattern").strip()
        action = found.group("action").strip().rstrip(";").strip()
        if action and not (action == "print" or action.startswith("print ")):
            raise _Usage(f"syntax error: this awk runs print, not '{action[:20]}'")
        items = tuple(part for part in _split_print(action[len("print") :].strip()) if part.strip())
        regex = compile_pattern(pattern[1:-1]) if pattern.startswith("/") else None
        if (
            pattern
            and not regex
            and pattern not in ("BEGIN", "END")
            and not _AWK_COMPARE.match(pattern)
        ):
            raise _Usage(f"syntax error: this awk cannot test '{pattern[:20]}'")
        for item in items:
            _awk_value(item, "", 0, None)  # every item is one this awk can print
        rules.append(_AwkRule(pattern, items, regex))
        rest = rest[found.end() :].strip()
    return rules


def _split_print(text: str) -> list[str]:
    """``print``'s items: separated by commas (outside strings); adjacent ones by spaces."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return items


_PRINTF = re.compile(r"%([-+ 0#]*)(\d*)(?:\.(\d+))?([diouxXcsfeEgGb%])")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(text: str) -> str:
    r"""The backslash escapes of printf: ``\n``, ``\t``, ``\\``, ``\0NNN`` and the rest."""

    def one(found: re.Match[str]) -> str:
        escaped = found.group(1)
        if escaped[0] in "01234567":
            return chr(int(escaped, 8))
        return _ESCAPES.get(escaped, "\\" + escaped)

    return _PRINTF_ESCAPE.sub(one, text)


_PRINTF_ESCAPE = re.compile(r"\\(0[0-7]{0,3}|[1-7][0-7]{0,2}|.)", re.DOTALL)


def _printf_once(form: str, args: list[str]) -> tuple[str, int, str]:
    """The format filled once: the text, how many arguments it took, and a problem, if any."""
    used = 0
    problem = ""

    def fill(found: re.Match[str]) -> str:
        nonlocal used, problem
        flags, width, precision, kind = found.groups()
        if kind == "%":
            return "%"
        value = args[used] if used < len(args) else ""
        used += 1
        if int(width or 0) > MAX_PRINTF_WIDTH or int(precision or 0) > MAX_PRINTF_WIDTH:
            problem = f"field wider than {MAX_PRINTF_WIDTH}"
            return ""
        spec = f"%{flags}{width}{'.' + precision if precision else ''}"
        if kind == "c":
            return (spec + "s") % (value[:1])
        if kind in "diouxX":
            number = _printf_number(value)
            if number is None:
                problem = f"invalid number '{value}'"
                number = 0
            return (spec + ("d" if kind in "iu" else kind)) % number
        if kind in "feEgG":
            try:
                return (spec + kind) % (float(value) if value else 0.0)
            except ValueError:
                problem = f"invalid number '{value}'"
                return (spec + kind) % 0.0
        if kind == "b":
            return (spec + "s") % _unescape(value)
        return (spec + "s") % value

    text = _PRINTF.sub(fill, _unescape(form))
    return text, used, problem


def _printf_number(text: str) -> int | None:
    """A number as the shell's printf reads it: decimal, ``0x`` hex, ``0`` octal, signed."""
    found = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", text.strip())
    if not text.strip():
        return 0
    if found is None or len(text) > 64:
        return None
    sign, digits = found.groups()
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") else 10
    value = int(digits, base)
    return -value if sign == "-" else value
