"""No call that one platform lacks stands outside a branch for the platforms that have it.

The type checker sees ``sys.platform`` branches (``nox -s typecheck`` checks Linux, Windows and
macOS); this scan also finds what it cannot: a POSIX-only name reached through ``getattr`` is
not flagged by it, nor is a module the stubs declare everywhere. A use counts as guarded when
it sits in the right branch of an ``if`` on ``sys.platform`` or ``os.name``, or in a test that
is skipped off its platforms (``pytest.mark.skipif`` on one of those).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("tikmatrix_sdk", "reference_server", "tests", "docs/_ext", "bench")

#: Names that exist on POSIX only, by module.
POSIX_ONLY = {
    "os": {
        "killpg", "setsid", "getpgid", "getpgrp", "setpgrp", "setpgid", "fork", "forkpty",
        "getuid", "geteuid", "getgid", "getegid", "setuid", "fchmod", "fchown", "chown",
        "lchown", "mkfifo", "WNOHANG", "wait3", "wait4", "sched_getaffinity", "pipe2",
        "sysconf", "getloadavg", "O_NOFOLLOW", "O_NONBLOCK",
    },
    "signal": {
        "SIGKILL", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGALRM",
        "SIGSTOP", "SIGCONT", "SIGPIPE", "SIGTSTP", "alarm", "pause", "setitimer",
        "pthread_kill", "pthread_sigmask", "sigwait", "siginterrupt", "SIG_BLOCK",
    },
}  # fmt: skip
#: Names that exist on Windows only, by module.
WINDOWS_ONLY = {
    "signal": {"CTRL_BREAK_EVENT", "CTRL_C_EVENT", "SIGBREAK"},
    "subprocess": {"CREATE_NEW_PROCESS_GROUP", "CREATE_NO_WINDOW", "STARTUPINFO"},
    "os": {"startfile", "O_BINARY"},
}
POSIX_MODULES = {"fcntl", "termios", "pwd", "grp", "resource", "pty", "tty", "posix"}
WINDOWS_MODULES = {"msvcrt", "winreg", "winsound", "_winapi"}


def _platform_of(test: ast.expr) -> tuple[str, bool] | None:
    """For ``sys.platform == "win32"`` and the like: ("windows", True) — the branch's truth.

    Returns which platform the condition is about and whether the ``if`` body runs there.
    """
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    subject, value = ast.unparse(test.left), test.comparators[0]
    if subject not in ("sys.platform", "os.name") or not isinstance(value, ast.Constant):
        return None
    windows_value = value.value in ("win32", "nt")
    op = test.ops[0]
    if isinstance(op, ast.Eq | ast.NotEq):
        equal = isinstance(op, ast.Eq)
        # the body runs on Windows when (== windows) or (!= a POSIX value)
        return "windows", equal == windows_value
    return None


def _uses(tree: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module, name = node.value.id, node.attr
            if name in POSIX_ONLY.get(module, ()):
                yield node, f"{module}.{name}", "posix"
            if name in WINDOWS_ONLY.get(module, ()):
                yield node, f"{module}.{name}", "windows"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for name in names:
                top = name.split(".")[0]
                if top in POSIX_MODULES:
                    yield node, name, "posix"
                if top in WINDOWS_MODULES:
                    yield node, name, "windows"


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _skipped_off(node: ast.AST, needs: str) -> bool:
    """Whether ``node`` is a test function or module skipped where ``needs`` is missing."""
    decorators = getattr(node, "decorator_list", [])
    marks = list(decorators)
    if isinstance(node, ast.Module):
        marks = [
            stmt.value
            for stmt in node.body
            if isinstance(stmt, ast.Assign)
            and any(getattr(t, "id", "") == "pytestmark" for t in stmt.targets)
        ]
    for mark in marks:
        if isinstance(mark, ast.Call) and ast.unparse(mark.func).endswith("skipif"):
            found = _platform_of(mark.args[0]) if mark.args else None
            # skipped where the condition holds: the test runs where it does not
            if found is not None and found[1] == (needs == "posix"):
                return True
    return False


def _guarded(node: ast.AST, needs: str, parents: dict[ast.AST, ast.AST]) -> bool:
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If | ast.IfExp):
            found = _platform_of(parent.test)
            if found is not None:
                in_body = child in (parent.body if isinstance(parent.body, list) else [parent.body])
                runs_on_windows = found[1] if in_body else not found[1]
                return runs_on_windows == (needs == "windows")
        if _skipped_off(parent, needs):
            return True
        child, parent = parent, parents.get(parent)
    return False


def _sources() -> Iterator[Path]:
    for folder in FOLDERS:
        yield from sorted((ROOT / folder).rglob("*.py"))


@functools.cache
def _tree(path: Path) -> ast.Module:
    """``path`` parsed, once per worker: the scans below each read every source."""
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def _nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of ``path``'s tree, in ``ast.walk``'s order."""
    return tuple(ast.walk(_tree(path)))


def test_platform_only_names_stand_in_their_platforms_branch() -> None:
    unguarded = []
    for path in _sources():
        tree = _tree(path)
        parents = _parents(tree)
        for node, name, needs in _uses(tree):
            if not _guarded(node, needs, parents):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
                unguarded.append(f"{where} {name} ({needs} only)")
    assert unguarded == []


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("import os\nos.killpg(1, 9)\n", False),
        ("import os, sys\nif sys.platform != 'win32':\n    os.killpg(1, 9)\n", True),
        ("import os, sys\nif sys.platform == 'win32':\n    pass\nelse:\n    os.setsid()\n", True),
        ("import os, sys\nif sys.platform == 'win32':\n    os.setsid()\n", False),
        ("import signal, sys\nif sys.platform == 'win32':\n    signal.SIGBREAK\n", True),
        ("import signal\nsignal.CTRL_BREAK_EVENT\n", False),
        ("import os\nif os.name == 'posix':\n    import fcntl\n", True),
        (
            "import os, pytest\n@pytest.mark.skipif(os.name != 'posix', reason='x')\n"
            "def test_x():\n    os.setsid()\n",
            True,
        ),
    ],
)
def test_the_scan_tells_guarded_from_unguarded(source: str, ok: bool) -> None:
    tree = ast.parse(source)
    parents = _parents(tree)
    found = [(name, _guarded(node, needs, parents)) for node, name, needs in _uses(tree)]
    assert found
    assert all(guarded == ok for _, guarded in found), found


#: What only the selector event loop has (Windows' default, the Proactor loop, lacks it).
SELECTOR_ONLY = {"add_reader", "add_writer", "remove_reader", "remove_writer", "add_signal_handler"}


def test_nothing_assumes_the_selector_event_loop() -> None:
    found = []
    for path in _sources():
        for node in _nodes(path):
            name = node.attr if isinstance(node, ast.Attribute) else ""
            if name in SELECTOR_ONLY or name == "SelectorEventLoop":
                found.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)} {name}")
    assert found == []


def _text_mode(call: ast.Call) -> bool:
    """Whether an ``open``-like call opens text (no ``b`` in a literal mode)."""
    mode = next((k.value for k in call.keywords if k.arg == "mode"), None)
    if mode is None and isinstance(call.func, ast.Name) and len(call.args) > 1:
        mode = call.args[1]
    if mode is None and isinstance(call.func, ast.Attribute) and call.func.attr == "open":
        mode = call.args[0] if call.args else None
    modes = [mode.body, mode.orelse] if isinstance(mode, ast.IfExp) else [mode]
    return not all(isinstance(m, ast.Constant) and "b" in str(m.value) for m in modes)


def test_text_files_are_read_and_written_as_utf8_whatever_the_locale() -> None:
    # Windows' default code page is not UTF-8: a text file opened without an encoding
    # would be written in cp1252 there, and read back wrong.
    found = []
    for path in _sources():
        for node in _nodes(path):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in ("open", "read_text", "write_text", "fdopen", "TextIOWrapper"):
                continue
            owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            if owner in ("os", "Image", "client", "super()", "av", "archive"):
                continue  # a descriptor; an image's bytes; a test client's request; a video;
                # a zip archive's member (ZipFile.open: bytes, always)
            keywords = {k.arg for k in node.keywords}
            if name in ("open", "fdopen") and not _text_mode(node):
                continue
            if "encoding" not in keywords:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:60]}")
    assert found == []


@pytest.mark.parametrize(
    ("local", "windows", "posix"),
    [
        ("C:\\Videos\\1.mp4", "1.mp4", "C:\\Videos\\1.mp4"),
        ("C:/Videos/1.mp4", "1.mp4", "1.mp4"),
        ("/Users/me/Movies/clip one.mp4", "clip one.mp4", "clip one.mp4"),
        ("\\\\nas\\share\\v.mp4", "v.mp4", "\\\\nas\\share\\v.mp4"),
    ],
)
def test_a_material_path_keeps_its_name_the_platforms_way(
    local: str, windows: str, posix: str
) -> None:
    from pathlib import PurePosixPath, PureWindowsPath

    from reference_server.devices.adb import device_file_name

    assert device_file_name(local, PureWindowsPath) == windows
    assert device_file_name(local, PurePosixPath) == posix  # a backslash is a name's on POSIX
