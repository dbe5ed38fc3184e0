"""The phone's ``sh``: command lines read and run as Android's shell does, for the common forms.

:func:`tokenize` reads a line into words and operators: quotes and backslashes, ``$VAR``,
``${VAR}``, ``$?``, ``$(...)`` and backticks, ``;``, ``&&``, ``||``, ``|``, ``&`` and
newlines, and the redirections ``>``, ``>>``, ``<``, ``2>``, ``2>>``, ``2>&1`` and ``>&2``.
:class:`Interpreter` runs them: each command's exit status, ``$?``, ``&&`` and ``||``,
pipes (the output of one is the input of the next), variables (``NAME=value``), unquoted
expansions split into words, and redirections to files, all through the callbacks its
phone gives it: nothing here reaches a host shell or the host's files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

import attrs

__all__ = ["Done", "Emit", "Interpreter", "Part", "ShellSyntaxError", "Word", "tokenize"]

_OPERATORS = ("&&", "||", ";", "|", "&", "\n")
_REDIRECTIONS = ("2>&1", ">&2", "2>>", ">>", "2>", ">", "<")
_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME = _NAME_START + "0123456789"
#: How deep command substitutions may nest (a line cannot recurse without end).
MAX_DEPTH = 8


class ShellSyntaxError(ValueError):
    """The line cannot be read (an unterminated quote or substitution)."""


class _Exit(Exception):
    """``exit N`` (or ``return N`` outside a function, as mksh takes it): the shell ends."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@attrs.frozen
class Part:
    """A piece of a word: literal text, a variable, or a command substitution."""

    kind: str  # "text", "var", "command"
    value: str
    quoted: bool
    source: str  # as written (without the quotes around it)


@attrs.frozen
class Word:
    """A word: its parts, and whether any of it was quoted (an empty quoted word stays)."""

    parts: tuple[Part, ...]

    @property
    def raw(self) -> str:
        """The word as written, quotes removed, expansions kept as written."""
        return "".join(part.source for part in self.parts)

    @property
    def any_quoted(self) -> bool:
        """Whether part of it was quoted."""
        return any(part.quoted for part in self.parts)


Token = Word | str
#: A terminal's output: what part of a command line printed (its output and errors, and the
#: order they came in).
Emit = Callable[["Done"], None]


@attrs.frozen
class Done:
    """What a command did: its output, its errors, its exit status.

    ``both`` is the output and errors as a terminal shows them, in the order they came
    (shell protocol v1 has one stream); ``None`` means the output, then the errors.
    """

    out: bytes = b""
    err: bytes = b""
    status: int = 0
    both: bytes | None = None

    @property
    def combined(self) -> bytes:
        """The output and errors in the order they came."""
        return self.both if self.both is not None else self.out + self.err


def tokenize(line: str) -> list[Token]:
    """Words and operators (operators and redirections as plain strings)."""
    tokens: list[Token] = []
    parts: list[Part] = []
    started = False  # a word has begun (an empty "" is a word)
    i = 0

    def end_word() -> None:
        nonlocal parts, started
        if started:
            tokens.append(Word(tuple(_merge(parts))))
        parts, started = [], False

    while i < len(line):
        char = line[i]
        if char in " \t":
            end_word()
            i += 1
            continue
        if char == "#" and not started:  # a comment, to the end of the line
            end = line.find("\n", i)
            i = len(line) if end < 0 else end
            continue
        operator = next(
            (op for op in (*_REDIRECTIONS, *_OPERATORS) if line.startswith(op, i)), None
        )
        if operator is not None and not (operator[0] == "2" and started):
            end_word()
            tokens.append(operator)
            i += len(operator)
            continue
        started = True
        if char == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated '")
            parts.append(Part("text", line[i + 1 : end], True, line[i + 1 : end]))
            i = end + 1
        elif char == '"':
            i = _double_quoted(line, i + 1, parts)
        elif char == "\\":
            if i + 1 < len(line):
                if line[i + 1] != "\n":  # a backslash-newline joins lines
                    parts.append(Part("text", line[i + 1], True, line[i + 1]))
                i += 2
            else:
                parts.append(Part("text", "\\", False, "\\"))
                i += 1
        elif char in "$`":
            i = _expansion(line, i, parts, quoted=False)
        else:
            parts.append(Part("text", char, False, char))
            i += 1
    end_word()
    return tokens


def _double_quoted(line: str, i: int, parts: list[Part]) -> int:
    while i < len(line):
        char = line[i]
        if char == '"':
            parts.append(Part("text", "", True, ""))  # "" alone is still a word
            return i + 1
        if char == "\\" and i + 1 < len(line) and line[i + 1] in '$`"\\\n':
            if line[i + 1] != "\n":
                parts.append(Part("text", line[i + 1], True, line[i + 1]))
            i += 2
        elif char in "$`":
            i = _expansion(line, i, parts, quoted=True)
        else:
            parts.append(Part("text", char, True, char))
            i += 1
    raise ShellSyntaxError('unterminated "')


def _expansion(line: str, i: int, parts: list[Part], *, quoted: bool) -> int:
    """Read ``$...`` or a backtick substitution at ``i``; where reading goes on."""
    if line[i] == "`":
        end = line.find("`", i + 1)
        if end < 0:
            raise ShellSyntaxError("unterminated `")
        parts.append(Part("command", line[i + 1 : end], quoted, line[i : end + 1]))
        return end + 1
    following = line[i + 1 : i + 2]
    if following == "(":
        end = _closing(line, i + 2)
        parts.append(Part("command", line[i + 2 : end], quoted, line[i : end + 1]))
        return end + 1
    if following == "{":
        end = line.find("}", i + 2)
        if end < 0:
            raise ShellSyntaxError("unterminated ${")
        parts.append(Part("var", line[i + 2 : end], quoted, line[i : end + 1]))
        return end + 1
    if following in ("?", "$", "#", "!", "@", "*") or following.isdigit():
        parts.append(Part("var", following, quoted, line[i : i + 2]))
        return i + 2
    if following and following in _NAME_START:
        end = i + 1
        while end < len(line) and line[end] in _NAME:
            end += 1
        parts.append(Part("var", line[i + 1 : end], quoted, line[i:end]))
        return end
    parts.append(Part("text", "$", quoted, "$"))
    return i + 1


def _closing(line: str, start: int) -> int:
    depth, quote = 1, ""
    for index in range(start, len(line)):
        char = line[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ShellSyntaxError("unterminated $(")


def _merge(parts: list[Part]) -> Iterator[Part]:
    """Adjacent literal characters of one quoting as one part."""
    pending: Part | None = None
    for part in parts:
        if pending and part.kind == pending.kind == "text" and part.quoted == pending.quoted:
            pending = Part(
                "text", pending.value + part.value, part.quoted, pending.source + part.source
            )
            continue
        if pending is not None:
            yield pending
        pending = part
    if pending is not None:
        yield pending


class Tools(Protocol):
    """What the interpreter needs of its phone."""

    def run_tool(self, argv: list[str], stdin: bytes, env: Mapping[str, str]) -> Done:
        """Run one command (a builtin or a tool of the phone)."""
        ...

    def read_file(self, path: str) -> bytes | None:
        """A file's bytes in the phone's storage (``None`` if there is none)."""
        ...

    def write_file(self, path: str, data: bytes, *, append: bool) -> str | None:
        """Write a file; an error message, or ``None``."""
        ...

    def start_job(self, command: list[str], work: Callable[[], Done]) -> int | None:
        """Run ``work`` in the background as a process of its own; its pid.

        ``None`` when the phone runs as many jobs as it may (the shell says it cannot fork).
        """
        ...

    def wait_jobs(self, pids: list[int]) -> Done:
        """Wait for those background jobs (every one, for none).

        Returns their output and the last one's status (127 for a pid that is not a job).
        """
        ...


@attrs.define
class _Command:
    assignments: list[tuple[str, Word]] = attrs.Factory(list)
    words: list[Word] = attrs.Factory(list)
    redirections: list[tuple[str, Word | None]] = attrs.Factory(list)


class Interpreter:
    """Runs command lines against a phone's tools; keeps its variables and ``$?``."""

    def __init__(
        self,
        tools: Tools,
        variables: Mapping[str, str] | None = None,
        *,
        read_line: Callable[[], bytes | None] | None = None,
        emit: Emit | None = None,
    ) -> None:
        """A shell session with these variables (``PATH``, ``HOME`` …).

        ``read_line`` is its terminal's input (``read`` takes a line from it; ``None`` for
        none left); without one, ``read`` finds the end of its input at once. ``emit`` is
        its terminal's output: with one, what each command line prints is written there as
        soon as it is done (a background job's too, while the terminal is open) rather than
        returned at the end.
        """
        self.tools = tools
        self.variables = dict(variables or {})
        self.status = 0
        self.read_line = read_line
        self.emit = emit

    def run(self, line: str, *, depth: int = 0) -> Done:
        """Run a line: what it printed (stdout and stderr apart) and its last exit status."""
        if depth > MAX_DEPTH:
            return self._shown(
                Done(err=b"/system/bin/sh: substitutions nested too deep\n", status=2)
            )
        try:
            tokens = tokenize(line)
        except ShellSyntaxError as error:
            self.status = 2
            message = f"/system/bin/sh: syntax error: {error}\n".encode()
            return self._shown(Done(err=message, status=2))
        out, err, both = bytearray(), bytearray(), bytearray()
        for connector, pipeline, background in _split(tokens):
            if (connector == "&&" and self.status != 0) or (connector == "||" and self.status == 0):
                continue
            if background:  # `command &`: runs beside what follows; $! is its pid
                words = [t.raw for t in pipeline[0] if isinstance(t, Word)]
                pid = self.tools.start_job(
                    words, functools.partial(self._job_pipeline, pipeline, depth, self.emit)
                )
                if pid is None:  # as many jobs as the phone runs: as a real shell says it
                    refused = Done(err=b"/system/bin/sh: fork: Resource temporarily unavailable\n")
                    self.status = 1
                    if self.emit is not None:
                        self.emit(refused)
                    else:
                        err += refused.err
                        both += refused.err
                    continue
                self.variables["!"] = str(pid)
                self.status = 0
                continue
            try:
                done = self._pipeline(pipeline, depth)
            except _Exit as ended:  # the rest of the line does not run
                self.status = ended.status
                break
            self.status = done.status
            if self.emit is not None:  # the terminal shows it now
                self.emit(done)
                continue
            out += done.out
            err += done.err
            both += done.combined
        return Done(bytes(out), bytes(err), self.status, bytes(both))

    def _shown(self, done: Done) -> Done:
        """``done`` as the line's answer: on the terminal if there is one (then its status)."""
        if self.emit is None:
            return done
        self.emit(done)
        return Done(status=done.status)

    def _job_pipeline(self, commands: list[list[Token]], depth: int, emit: Emit | None) -> Done:
        """A background job's pipeline: an ``exit`` in it ends the job, not the shell.

        With a terminal (``emit``), what the job prints goes there as it is done, and
        ``wait`` then has nothing more to show of it.
        """
        job = Interpreter(self.tools, self.variables, read_line=self.read_line, emit=emit)
        try:
            done = job._pipeline(commands, depth)
        except _Exit as ended:
            return Done(status=ended.status)
        if emit is None:
            return done
        emit(done)
        return Done(status=done.status)

    def _pipeline(self, commands: list[list[Token]], depth: int) -> Done:
        stdin, err = b"", bytearray()
        done = Done()
        for index, tokens in enumerate(commands):
            done = self._command(tokens, stdin, depth, streaming=len(commands) == 1)
            last = index == len(commands) - 1
            if not last:
                err += done.err
            stdin = done.out if not last else b""
        return Done(done.out, bytes(err) + done.err, done.status, bytes(err) + done.combined)

    def _command(
        self, tokens: list[Token], stdin: bytes, depth: int, *, streaming: bool = False
    ) -> Done:
        try:
            command = _read_command(tokens)
        except ShellSyntaxError as error:
            return Done(err=f"/system/bin/sh: syntax error: {error}\n".encode(), status=2)
        fields: list[str] = []
        for word in command.words:
            fields += self._expand(word, depth)
        env = {
            name: "".join(self._expand(value, depth, split=False))
            for name, value in command.assignments
        }
        if not fields:
            self.variables.update(env)
            return Done()
        if fields[0] == "exec":  # the command in the shell's place: here, the same as running it
            fields = fields[1:]
            if not fields:
                return Done()
        if fields[0] in ("export", "unset"):
            return self._variables(fields[0], fields[1:])
        if fields[0] in ("exit", "return"):
            given = fields[1] if len(fields) > 1 else str(self.status)
            if not (given.isascii() and given.lstrip("-").isdigit() and given.count("-") <= 1):
                message = f"/system/bin/sh: {fields[0]}: {given}: bad number\n"
                return Done(err=message.encode(), status=1)
            raise _Exit(int(given) & 0xFF)
        if fields[0] == "read":
            return self._read(fields[1:], stdin)
        if fields[0] == "wait":
            pids = [int(word) for word in fields[1:] if word.isdigit()]
            return self.tools.wait_jobs(pids)
        if fields[0] == "sh" and fields[1:]:  # its lines reach the terminal as they are done
            alone = streaming and not command.redirections
            return self._script(fields[1:], depth, emit=self.emit if alone else None)
        files: list[tuple[str, str]] = []  # (target, path): opened before the command runs
        for target, source in command.redirections:
            if source is None:
                continue
            path = "".join(self._expand(source, depth, split=False))
            if target == "<":
                data = self.tools.read_file(path)
                if data is None:
                    message = f"/system/bin/sh: {path}: No such file or directory\n"
                    return Done(err=message.encode(), status=1)
                stdin = data
                continue
            if path != "/dev/null":
                problem = self.tools.write_file(path, b"", append=target.endswith(">>"))
                if problem:
                    return Done(err=f"/system/bin/sh: {problem}\n".encode(), status=1)
            files.append((target, path))
        done = self.tools.run_tool(fields, stdin, {**self.variables, **env})
        return self._redirect(done, [r for r, _ in command.redirections], files)

    def _read(self, names: list[str], stdin: bytes) -> Done:
        """``read [-r] NAME…``: a line of input into variables; status 1 at its end."""
        names = [name for name in names if name != "-r"] or ["REPLY"]
        if stdin:
            line: bytes | None = stdin.split(b"\n", 1)[0]
        else:
            line = self.read_line() if self.read_line is not None else None
        if line is None:
            return Done(status=1)
        words = line.decode("utf-8", "replace").rstrip("\r\n").split(maxsplit=len(names) - 1)
        for index, name in enumerate(names):
            self.variables[name] = words[index] if index < len(words) else ""
        return Done()

    def _script(self, args: list[str], depth: int, *, emit: Emit | None = None) -> Done:
        """``sh FILE [ARG…]`` or ``sh -c COMMANDS [NAME ARG…]``: a child shell.

        It has positional parameters of its own, and reads the same input.
        """
        if args[0] == "-c":
            if len(args) < 2:
                return Done(err=b"sh: -c: option requires an argument\n", status=2)
            text, name, rest = args[1], (args[2] if len(args) > 2 else "sh"), args[3:]
        else:
            data = self.tools.read_file(args[0])
            if data is None:
                return Done(err=f"sh: {args[0]}: No such file or directory\n".encode(), status=127)
            text, name, rest = data.decode("utf-8", "replace"), args[0], args[1:]
        positional = {str(index): value for index, value in enumerate(rest, start=1)}
        child = Interpreter(
            self.tools,
            {**self.variables, "0": name, "#": str(len(rest)), "@": " ".join(rest), **positional},
            read_line=self.read_line,
            emit=emit,
        )
        child.variables["*"] = child.variables["@"]
        return child.run(text, depth=depth + 1)

    def _variables(self, builtin: str, names: list[str]) -> Done:
        """``export NAME[=VALUE]…`` and ``unset NAME…``: the session's variables."""
        for item in names:
            name, equals, value = item.partition("=")
            if not name or name[0] not in _NAME_START or not all(c in _NAME for c in name):
                message = f"/system/bin/sh: {builtin}: {item}: bad variable name\n"
                return Done(err=message.encode(), status=1)
            if builtin == "unset":
                self.variables.pop(name, None)
            elif equals:
                self.variables[name] = value
            else:
                self.variables.setdefault(name, "")
        return Done()

    def _redirect(self, done: Done, order: list[str], files: list[tuple[str, str]]) -> Done:
        """Where the command's output goes: merged streams first, then the files."""
        out, err = done.out, done.err
        for target in order:
            if target == "2>&1":
                out, err = out + err, b""
            elif target == ">&2":
                out, err = b"", err + out
        status, problems = done.status, b""
        for target, path in files:
            data = err if target.startswith("2") else out
            if path != "/dev/null":
                problem = self.tools.write_file(path, data, append=True)
                if problem:  # what could not be written is lost, as with a full disk
                    problems += f"/system/bin/sh: write error: {problem}\n".encode()
                    status = 1
            if target.startswith("2"):
                err = b""
            else:
                out = b""
        return Done(out, err + problems, status)

    def _expand(self, word: Word, depth: int, *, split: bool = True) -> list[str]:
        """A word's fields: quoted parts kept whole, unquoted expansions split on blanks."""
        fields: list[str] = []
        current: str | None = "" if word.any_quoted else None
        for part in word.parts:
            value = part.value if part.kind == "text" else self._value(part, depth)
            if part.kind == "text" or part.quoted or not split:
                current = (current or "") + value
                continue
            pieces = value.split()
            if not pieces:
                continue
            if value[:1].isspace() and current:
                fields.append(current)
                current = None
            current = (current or "") + pieces[0]
            for piece in pieces[1:]:
                fields.append(current)
                current = piece
            if value[-1:].isspace():
                fields.append(current)
                current = None
        if current is not None:
            fields.append(current)
        return fields

    def _value(self, part: Part, depth: int) -> str:
        if part.kind == "var":
            if part.value == "?":
                return str(self.status)
            if part.value == "$":
                return "1"
            if part.value == "#":
                return self.variables.get("#", "0")
            return self.variables.get(part.value, "")
        saved = self.status
        done = Interpreter(self.tools, self.variables, read_line=self.read_line).run(
            part.value, depth=depth + 1
        )
        self.status = saved if done.status == 0 else done.status
        return done.out.decode("utf-8", "replace").rstrip("\n")


def _split(tokens: list[Token]) -> list[tuple[str, list[list[Token]], bool]]:
    """And-or lists: each pipeline, the connector before it, and whether it runs behind.

    The connector is ``;``, ``&&`` or ``||``; a pipeline that ``&`` ends is a background job.
    """
    chains: list[tuple[str, list[list[Token]], bool]] = []
    connector = ";"
    pipeline: list[list[Token]] = [[]]
    for token in tokens:
        if token in ("&&", "||", ";", "&", "\n"):
            if any(pipeline):
                chains.append((connector, pipeline, token == "&"))
            connector = token if token in ("&&", "||") else ";"
            pipeline = [[]]
        elif token == "|":
            pipeline.append([])
        else:
            pipeline[-1].append(token)
    if any(pipeline):
        chains.append((connector, pipeline, False))
    return chains


def _read_command(tokens: list[Token]) -> _Command:
    command = _Command()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if isinstance(token, str):
            if token in ("2>&1", ">&2"):
                command.redirections.append((token, None))
                index += 1
                continue
            target = tokens[index + 1] if index + 1 < len(tokens) else None
            if not isinstance(target, Word):
                raise ShellSyntaxError(f"{token} needs a file name")
            command.redirections.append((token, target))
            index += 2
            continue
        name, equals, _ = token.raw.partition("=")
        unquoted_name = token.parts and not token.parts[0].quoted
        if (
            not command.words
            and equals
            and unquoted_name
            and name
            and name[0] in _NAME_START
            and all(c in _NAME for c in name)
        ):
            command.assignments.append((name, _after_equals(token)))
        else:
            command.words.append(token)
        index += 1
    return command


def _after_equals(word: Word) -> Word:
    """The value part of ``NAME=value``."""
    parts: list[Part] = []
    seen = False
    for part in word.parts:
        if seen:
            parts.append(part)
        elif part.kind == "text" and "=" in part.value:
            rest = part.value.split("=", 1)[1]
            parts.append(Part("text", rest, part.quoted, rest))
            seen = True
    return Word(tuple(parts) or (Part("text", "", True, ""),))
