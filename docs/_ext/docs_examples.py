"""Run every example of the documentation against a live reference server: a pytest plugin.

``nox -s docs`` loads it with ``pytest -p docs_examples`` over ``docs/``, the README and the
packages' docstrings. It starts ``tikmatrix-server`` (the real command, on a free loopback
port, with a store in a temporary directory), points ``TIKMATRIX_BASE_URL`` at it, and resets
the server before each page, so every page starts from the default fleet and task ids from 1.

What runs, by the language of a fenced block:

- ``python``: the code runs in the page's namespace. A block that starts with ``>>>`` is a
  doctest: what it shows is what it must print.
- ``output``: right after a ``python`` block, the text that block printed (``...`` matches
  anything, as in doctests).
- ``console``: each ``$ command`` runs and the lines under it are its output (``...`` again).
  Addresses of the default server (``localhost:50809``) are pointed at the live one. A server
  command (``tikmatrix-server``, ``python -m reference_server``) starts on a free port of its
  own and must come up; ``pip install`` lines are checked against the extras the package
  declares and ``nox`` lines against the sessions of ``noxfile.py``, since the docs session
  runs inside what those commands set up. ``NAME=value`` before a command sets its
  environment, and its stdout and stderr together are its output.

Any other language (``json``, ``text``, ``dot``) is shown, not run.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest
from sybil import Example, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.myst import CodeBlockParser, PythonCodeBlockParser
from sybil.parsers.rest import DocTestParser

from reference_server.testing import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ADDRESSES = ("http://localhost:50809", "http://127.0.0.1:50809")
SERVER_COMMANDS = (("tikmatrix-server",), ("python", "-m", "reference_server"))
_OUTPUT_KEY = "_printed"
_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@contextlib.contextmanager
def serve(argv: list[str], port: int) -> Iterator[str]:
    """Run a server command until the block ends; yield its base URL."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _server_executable() -> str:
    found = shutil.which("tikmatrix-server", path=os.path.dirname(sys.executable))
    return found or "tikmatrix-server"


class LiveServer:
    """The live reference server every example talks to, for the whole pytest session."""

    url = ""
    _stack = contextlib.ExitStack()

    @classmethod
    def start(cls) -> None:
        """Serve on a free port with a store in a temporary directory."""
        directory = cls._stack.enter_context(tempfile.TemporaryDirectory(prefix="tikmatrix-docs-"))
        port = free_port()
        argv = [_server_executable(), "--port", str(port), "--db", f"{directory}/tasks.sqlite3"]
        cls.url = cls._stack.enter_context(serve(argv, port))
        cls._stack.enter_context(_environment("TIKMATRIX_BASE_URL", cls.url))

    @classmethod
    def stop(cls) -> None:
        """Stop the server and forget its store."""
        cls._stack.close()


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the live server before any page runs."""
    LiveServer.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop it when the run ends."""
    LiveServer.stop()


def reset_server(namespace: dict[str, Any]) -> None:
    """Start each page from the default fleet, the Pro plan and task ids from 1."""
    url = LiveServer.url
    httpx.post(f"{url}/_control/reset", json={}).raise_for_status()
    httpx.put(f"{url}/_control/plan", json={"plan": "Pro"}).raise_for_status()


def _matches(expected: str, got: str) -> str | None:
    if _CHECKER.check_output(expected, got, _FLAGS):
        return None
    return f"expected:\n{expected}\ngot:\n{got}"


class PrintingEvaluator(PythonEvaluator):
    """Run a python block and keep what it printed for the ``output`` block after it."""

    def __call__(self, example: Example) -> None:
        """Run the block with stdout captured."""
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            super().__call__(example)
        example.namespace[_OUTPUT_KEY] = printed.getvalue()


def check_output(example: Example) -> str | None:
    """An ``output`` block: what the python block before it printed."""
    got = example.namespace.pop(_OUTPUT_KEY, None)
    if got is None:
        return "an output block must follow a python block that printed"
    return _matches(str(example.parsed), got)


def _commands(block: str) -> Iterator[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    command: list[str] = []
    output: list[str] = []
    continuing = False
    for line in block.splitlines():
        if continuing:
            command.append(line.rstrip("\\").strip())
            continuing = line.endswith("\\")
        elif line.startswith("$ "):
            if command:
                yield " ".join(command), "\n".join(output)
            command, output = [line[2:].rstrip("\\").strip()], []
            continuing = line.endswith("\\")
        else:
            output.append(line)
    if command:
        yield " ".join(command), "\n".join(output)


def _declared_extras() -> set[str]:
    return set(metadata.metadata("tikmatrix-sdk").get_all("Provides-Extra") or [])


def _check_pip(argv: list[str]) -> str | None:
    extras = _declared_extras()
    for requirement in argv[argv.index("install") + 1 :]:
        match = re.fullmatch(r"(?:\.|tikmatrix-sdk)(?:\[([\w,-]+)\])?", requirement)
        if requirement.startswith("-") or requirement in ("nox",):
            continue
        if match is None:
            return f"unexpected requirement in the docs: {requirement!r}"
        unknown = set((match.group(1) or "").split(",")) - extras - {""}
        if unknown:
            return f"{requirement!r} names extras the package does not declare: {unknown}"
    return None


def _nox_sessions() -> set[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any("session" in ast.unparse(d) for d in node.decorator_list)
    }


def _check_nox(argv: list[str]) -> str | None:
    sessions = _nox_sessions()
    named = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("-s", "--session")]
    unknown = set(named) - sessions
    return f"noxfile.py has no session {sorted(unknown)}" if unknown else None


def _run_server_command(argv: list[str], expected: str) -> str | None:
    argv = [_server_executable() if argv[0] == "tikmatrix-server" else sys.executable, *argv[1:]]
    if "--help" in argv:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        return _matches(expected, done.stdout)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="tikmatrix-docs-") as directory:
        argv = _with_option(argv, "--port", str(port))
        if "--db" not in argv:
            argv += ["--db", str(Path(directory) / "tasks.sqlite3")]
        with serve(argv, port) as url:
            stats = httpx.get(f"{url}/api/v1/task/stats").json()
            if stats.get("code") != 0:
                return f"the server started by {argv} answered {stats}"
    return None


def _with_option(argv: list[str], name: str, value: str) -> list[str]:
    if name in argv:
        argv = list(argv)
        argv[argv.index(name) + 1] = value
        return argv
    return [*argv, name, value]


def _run_curl(argv: list[str], base_url: str) -> str:
    argv = [_point_at(arg, base_url) for arg in argv]
    if shutil.which("curl") is None:
        return _curl_with_httpx(argv[1:])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{argv} exited with {done.returncode}: {done.stderr}")
    return done.stdout


def _point_at(arg: str, base_url: str) -> str:
    for address in DEFAULT_ADDRESSES:
        arg = arg.replace(address, base_url)
    return arg


def _curl_with_httpx(args: list[str]) -> str:
    """The curl options the docs use, for a machine without curl."""
    method, url, headers, data = None, "", {}, None
    words = iter(args)
    for word in words:
        if word in ("-s", "--silent", "-S", "--show-error", "-f", "--fail"):
            continue
        if word in ("-X", "--request"):
            method = next(words)
        elif word in ("-H", "--header"):
            name, _, value = next(words).partition(":")
            headers[name.strip()] = value.strip()
        elif word in ("-d", "--data", "--data-raw"):
            data = next(words)
        elif word == "--json":
            data = next(words)
            headers.setdefault("Content-Type", "application/json")
            headers.setdefault("Accept", "application/json")
        elif word.startswith("-"):
            raise AssertionError(f"the curl stand-in does not know {word}")
        else:
            url = word
    method = method or ("POST" if data is not None else "GET")
    answer = httpx.request(method, url, headers=headers, content=data)
    return answer.text


def _run_command(argv: list[str], expected: str) -> str | None:
    """Any other command, after ``NAME=value`` words that set its environment.

    What it prints, stdout and stderr together as a terminal shows them, must match.
    """
    env = dict(os.environ)
    while argv and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", argv[0]):
        name, _, value = argv.pop(0).partition("=")
        env[name] = value
    if argv[0] == "python":
        argv[0] = sys.executable
    elif argv[0] == "tikmatrix":  # the command installed beside this interpreter
        argv[0] = str(Path(sys.executable).parent / "tikmatrix")
    done = subprocess.run(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
        env=env, check=False,
    )  # fmt: skip
    return _matches(expected, done.stdout)


def run_console(example: Example) -> str | None:
    """A console block: run each command and compare what it prints."""
    base_url = LiveServer.url
    for command, expected in _commands(str(example.parsed)):
        argv = shlex.split(command)
        if argv[0] == "curl":
            problem = _matches(expected, _run_curl(argv, base_url))
        elif argv[:3] == ["python", "-m", "pip"] or argv[0] == "pip":
            problem = _check_pip(argv)
        elif argv[0] == "nox":
            problem = _check_nox(argv)
        elif any(tuple(argv[: len(c)]) == c for c in SERVER_COMMANDS):
            problem = _run_server_command(argv, expected)
        else:
            problem = _run_command(argv, expected)
        if problem:
            return f"$ {command}\n{problem}"
    return None


class PythonBlocks(PythonCodeBlockParser):
    """``python`` blocks: doctests when they start with ``>>>``, else code whose print is kept."""

    def __init__(self) -> None:
        super().__init__(doctest_optionflags=_FLAGS)
        self.codeblock_parser = CodeBlockParser("python", PrintingEvaluator(()))


markdown = Sybil(
    parsers=[
        PythonBlocks(),
        CodeBlockParser("output", check_output),
        CodeBlockParser("console", run_console),
    ],
    path=str(ROOT),
    patterns=["README.md", "docs/*.md", "docs/*/*.md"],
    excludes=["docs/_build/*"],
    setup=reset_server,
    name="docs",
)
docstrings = Sybil(
    parsers=[DocTestParser(optionflags=_FLAGS)],
    path=str(ROOT),
    patterns=["tikmatrix_sdk/*.py", "tikmatrix_sdk/*/*.py", "reference_server/*.py"],
    setup=reset_server,
    name="docstrings",
)

pytest_collect_file = (markdown + docstrings).pytest()
