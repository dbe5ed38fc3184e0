"""Run every example of the documentation against a live reference server: a pytest plugin.

``nox -s docs`` loads it with ``pytest -p docs_examples`` over ``docs/``, the README and the
packages' docstrings. It starts ``tikmatrix-server`` (the real command, on a free loopback
port, with a store in a temporary directory) and points ``TIKMATRIX_BASE_URL`` at it.

The server is never reset between pages: a reader follows a page against a server they have
already used, so every page must work after any other, and must undo what it changes. The
runner proves both. ``TIKMATRIX_DOCS_ORDER`` (``forward``, the default, or ``reverse``) sets
the order of the pages, and ``nox -s docs`` runs them once in each; and after each page the
server's state (the plan, the devices and their behaviour, leases, accounts, faults, the adb
route, custom scripts, unfinished tasks) must be what it was before the page, or the page
fails, naming what it left behind. Finished tasks may stay: a reader's store keeps them too.

What runs, by the language of a fenced block:

- ``python``: the code runs in the page's namespace. A block that starts with ``>>>`` is a
  doctest: what it shows is what it must print.
- ``output``: right after a ``python`` block, the text that block printed (``...`` matches
  anything, as in doctests).
- ``console``: each ``$ command`` runs and the lines under it are its output (``...`` again).
  Addresses of the default server (``localhost:50809``) are pointed at the live one. A server
  command (``tikmatrix-server``, ``python -m reference_server``) starts on a free port of its
  own and must come up (on the default port), or serves the rest of the page (on another port,
  with its store in memory unless it names one; the page's later commands and ``python``
  blocks, not its ``>>>`` doctests, reach it: ``localhost:50810`` is pointed at it);
  ``pip install`` lines are checked against the extras the package
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
import time
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
from sybil.region import Lexeme

from reference_server.testing import free_port, stop_server, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ADDRESSES = ("http://localhost:50809", "http://127.0.0.1:50809")
SERVER_COMMANDS = (("tikmatrix-server",), ("python", "-m", "reference_server"))
_OUTPUT_KEY = "_printed"
_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


#: How many free ports a server command is tried on before its failure is the page's.
_PORT_TRIES = 3


@contextlib.contextmanager
def serve(argv: list[str]) -> Iterator[str]:
    """Run a server command on a free port until the block ends; yield its base URL.

    A free port is only free until the server binds it, a second or more later: another
    process may take it meanwhile. A server that says its port was taken is started again
    on another one; any other early exit fails with what the server wrote.
    """
    for attempt in range(1, _PORT_TRIES + 1):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryFile() as output:
            process = subprocess.Popen(
                _with_option(argv, "--port", str(port)),
                stdout=subprocess.DEVNULL,
                stderr=output,
            )
            try:
                try:
                    wait_until_serving(url, process)
                except RuntimeError as error:
                    output.seek(0)
                    said = output.read().decode("utf-8", "replace").strip()
                    if f"port {port} " in said and attempt < _PORT_TRIES:
                        continue  # taken meanwhile: try another
                    raise RuntimeError(
                        f"{error}; it said: {said or '(nothing)'}"
                    ) from None
                yield url
                return
            finally:
                stop_server(process)


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
        directory = cls._stack.enter_context(
            tempfile.TemporaryDirectory(prefix="tikmatrix-docs-")
        )
        argv = [
            _server_executable(),
            "--db",
            f"{directory}/tasks.sqlite3",
            "--allow-custom-scripts",  # as the custom scripts guide asks its reader to start it
        ]
        cls.url = cls._stack.enter_context(serve(argv))
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


def _data(path: str, **params: Any) -> Any:
    answer = httpx.get(f"{LiveServer.url}{path}", params=params, timeout=30)
    body = answer.json()
    if body.get("code") != 0:
        raise AssertionError(f"GET {path} answered {body}")
    return body["data"]


def _every(path: str, key: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    page = 1
    while True:
        data = _data(path, page=page, page_size=100, **params)
        items += data[key]
        if page * 100 >= data["total"]:
            return items
        page += 1


def _unfinished() -> set[int]:
    return {
        task["id"]
        for status in (0, 1)
        for task in _every("/api/v1/task", "tasks", status=status)
    }


def server_state() -> dict[str, Any]:
    """What a page may change and must leave as it found it."""
    devices = _data("/_control/devices")["devices"]
    return {
        "plan": _data("/api/v1/license/check")["plan_name"],
        "devices": [(d["serial"], d["kind"], d["behaviour"]) for d in devices],
        "leases": [d["serial"] for d in _data("/api/v1/rpc/devices") if d["leased"]],
        "accounts": sorted(
            (a["username"], a["device"], a["platform"], a["status"], a["tag"])
            for a in _every("/api/v1/accounts", "accounts")
        ),
        "faults": _data("/_control/faults")["faults"],
        "adb route": _data("/_control/rpc/adb")["enabled"],
        "custom scripts": _data("/_control/custom-scripts")["scripts"],
        "unfinished tasks": sorted(_unfinished()),
    }


_BEFORE = "_server_state_before"
#: How long the tasks a page left due may take to finish before its state is compared.
SETTLE_SECONDS = 20.0
_SCRATCH_STACK = "_scratch_stack"


def remember_state(namespace: dict[str, Any]) -> None:
    """Before a page: what the server holds."""
    namespace[_BEFORE] = server_state()


def check_state_restored(namespace: dict[str, Any]) -> None:
    """After a page: the same, once the tasks the page left due have finished running.

    The servers the page started for itself are stopped first.
    """
    stack = namespace.pop(_SCRATCH_STACK, None)
    if stack is not None:
        stack.close()
    namespace.pop(_SCRATCH, None)
    before = namespace.pop(_BEFORE, None)
    if before is None:  # the page's setup did not run (nothing of it was selected)
        return
    deadline = time.monotonic() + SETTLE_SECONDS
    while (
        set(_unfinished()) - set(before["unfinished tasks"])
        and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    after = server_state()
    changed = {
        name: (before[name], after[name])
        for name in before
        if before[name] != after[name]
    }
    if changed:
        lines = [
            f"  {name}: {was!r} -> {now!r}" for name, (was, now) in changed.items()
        ]
        raise AssertionError("the page left the server changed:\n" + "\n".join(lines))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Pages in the order ``TIKMATRIX_DOCS_ORDER`` names; each page's examples in its order."""
    order = os.environ.get("TIKMATRIX_DOCS_ORDER", "forward")
    if order not in ("forward", "reverse"):
        raise pytest.UsageError(
            f"TIKMATRIX_DOCS_ORDER must be forward or reverse, not {order!r}"
        )
    pages: dict[str, list[pytest.Item]] = {}
    for item in items:
        pages.setdefault(str(item.path), []).append(item)
    ordered = list(pages.values())
    if order == "reverse":
        ordered.reverse()
    items[:] = [item for page in ordered for item in page]


def _matches(expected: str, got: str) -> str | None:
    if _CHECKER.check_output(expected, got, _FLAGS):
        return None
    return f"expected:\n{expected}\ngot:\n{got}"


_SCRATCH = "_scratch_servers"


def _scratch(namespace: dict[str, Any]) -> dict[str, str]:
    """The page's own servers: the address the page names, and where each really serves."""
    servers: dict[str, str] = namespace.setdefault(_SCRATCH, {})
    return servers


def _repoint(text: str, namespace: dict[str, Any]) -> str:
    """``text`` with each address of the page's own servers pointed at the real one.

    An address ends where its port does: ``localhost:508100`` is not ``localhost:50810``.
    """
    for address, url in _scratch(namespace).items():
        text = re.sub(re.escape(address) + r"(?![0-9])", url, text)
    return text


class PrintingEvaluator(PythonEvaluator):
    """Run a python block and keep what it printed for the ``output`` block after it."""

    def __call__(self, example: Example) -> None:
        """Run the block with stdout captured (a page's own server's address pointed at it)."""
        source = example.parsed
        pointed = _repoint(str(source), example.namespace)
        if pointed != source:
            example.parsed = Lexeme(pointed, source.offset, source.line_offset)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                super().__call__(example)
        finally:
            example.parsed = source
        example.namespace[_OUTPUT_KEY] = printed.getvalue()


def check_output(example: Example) -> str | None:
    """An ``output`` block: what the python block before it printed."""
    got = example.namespace.pop(_OUTPUT_KEY, None)
    if got is None:
        return "an output block must follow a python block that printed"
    return _matches(str(example.parsed), got)


def _open_quote(command: str) -> bool:
    """Whether ``command`` ends inside a quoted string (the shell reads on to the next line).

    A quote in a ``# comment`` opens nothing.
    """
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return True
    return False


def _commands(block: str) -> Iterator[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs.

    A command goes on to the next line after a trailing backslash, as in a shell, or while a
    quoted string is open (a long JSON body folded to fit the page).
    """
    command = ""
    output: list[str] = []
    continuing = False
    for line in block.splitlines():
        if continuing:
            if _open_quote(command):
                command += "\n" + line
            else:
                command += " " + line.rstrip("\\").strip()
        elif line.startswith("$ "):
            if command:
                yield command, "\n".join(output)
            command, output = line[2:].rstrip("\\").strip(), []
        else:
            output.append(line)
            continue
        continuing = line.endswith("\\") or _open_quote(command)
    if command:
        yield command, "\n".join(output)


def _unfold(expected: str) -> str:
    """A one-line JSON answer that the page folds to fit its width, joined back into one line.

    Lines break between JSON tokens (joined with nothing) or at a space inside a string
    (joined with that space). Output that is not JSON (headers, say) is left as it is.
    """
    if not expected.lstrip().startswith(("{", "[")):
        return expected
    joined = ""
    inside = False  # within a JSON string at the end of what is joined so far
    for line in expected.splitlines():
        piece = line.strip()
        joined += (" " if inside and joined else "") + piece
        escaped = False
        for char in piece:
            if escaped:
                escaped = False
            elif char == "\\" and inside:
                escaped = True
            elif char == '"':
                inside = not inside
    return joined


def _declared_extras() -> set[str]:
    return set(metadata.metadata("tikmatrix-sdk").get_all("Provides-Extra") or [])


def _check_pip(argv: list[str]) -> str | None:
    """A ``pip install`` line: only what works today (the package is not on an index yet)."""
    extras = _declared_extras()
    for requirement in argv[argv.index("install") + 1 :]:
        match = re.fullmatch(r"\.(?:\[([\w,-]+)\])?", requirement)
        if requirement.startswith("-") or requirement in ("nox", "pytest"):
            continue
        if match is None:
            return (
                f"the docs install {requirement!r}: only the clone ('.', '.[extra]') installs "
                "until the package is on an index"
            )
        unknown = set((match.group(1) or "").split(",")) - extras - {""}
        if unknown:
            return (
                f"{requirement!r} names extras the package does not declare: {unknown}"
            )
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
    named = [
        argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("-s", "--session")
    ]
    unknown = set(named) - sessions
    return f"noxfile.py has no session {sorted(unknown)}" if unknown else None


def _run_server_command(
    argv: list[str], expected: str, namespace: dict[str, Any]
) -> str | None:
    argv = [
        _server_executable() if argv[0] == "tikmatrix-server" else sys.executable,
        *argv[1:],
    ]
    if "--help" in argv:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=60, check=False
        )
        return _matches(expected, done.stdout)
    named = argv[argv.index("--port") + 1] if "--port" in argv else "50809"
    if named != "50809":  # the page's own server: it serves until the page ends
        stack = namespace.setdefault(_SCRATCH_STACK, contextlib.ExitStack())
        if "--db" not in argv:  # never the reader's default store
            argv += ["--db", ":memory:"]
        url = stack.enter_context(serve(argv))
        for host in ("localhost", "127.0.0.1"):
            _scratch(namespace)[f"http://{host}:{named}"] = url
        return None
    with tempfile.TemporaryDirectory(prefix="tikmatrix-docs-") as directory:
        if "--db" not in argv:
            argv += ["--db", str(Path(directory) / "tasks.sqlite3")]
        with serve(argv) as url:
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


def _run_curl(argv: list[str], base_url: str, namespace: dict[str, Any]) -> str:
    argv = [_point_at(arg, base_url, namespace) for arg in argv]
    if shutil.which("curl") is None:
        return _curl_with_httpx(argv[1:])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{argv} exited with {done.returncode}: {done.stderr}")
    return done.stdout


def _point_at(arg: str, base_url: str, namespace: dict[str, Any]) -> str:
    arg = _repoint(arg, namespace)
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


def _run_command(
    argv: list[str], expected: str, namespace: dict[str, Any]
) -> str | None:
    """Any other command, after ``NAME=value`` words that set its environment.

    What it prints, stdout and stderr together as a terminal shows them, must match. The
    addresses of the page's own servers are pointed at them, in the words and the environment.
    """
    argv = [_repoint(word, namespace) for word in argv]
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
        if (
            argv[0] == "curl"
        ):  # its answers are single lines of JSON, folded on the page
            problem = _matches(
                _unfold(expected), _run_curl(argv, base_url, example.namespace)
            )
        elif argv[:3] == ["python", "-m", "pip"] or argv[0] == "pip":
            problem = _check_pip(argv)
        elif argv[0] == "nox":
            problem = _check_nox(argv)
        elif any(tuple(argv[: len(c)]) == c for c in SERVER_COMMANDS):
            problem = _run_server_command(argv, expected, example.namespace)
        else:
            problem = _run_command(argv, expected, example.namespace)
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
    setup=remember_state,
    teardown=check_state_restored,
    name="docs",
)
docstrings = Sybil(
    parsers=[DocTestParser(optionflags=_FLAGS)],
    path=str(ROOT),
    patterns=["tikmatrix_sdk/*.py", "tikmatrix_sdk/*/*.py", "reference_server/*.py"],
    setup=remember_state,
    teardown=check_state_restored,
    name="docstrings",
)

pytest_collect_file = (markdown + docstrings).pytest()
