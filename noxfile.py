"""Sessions for tests, lint, types and docs; plain ``nox`` runs them all.

No session names a Python version: each gets a virtualenv made from the interpreter nox runs
on, so ``CI=true`` (where a missing interpreter is an error) works on any machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "e2e", "docs", "openapi"]

SDK_COVERAGE = "95"

#: Python may write bytecode in every session, whatever the shell says: the suite starts many
#: Python processes (servers, fleet hosts, the command line), and without ``__pycache__`` each
#: compiles the server and the SDK from source again, and pytest rewrites every test module's
#: asserts again in each worker (a third of the suite's processor time on a 2-core machine).
BYTECODE: dict[str, str | None] = {"PYTHONDONTWRITEBYTECODE": None}


def _workers() -> int:
    """Two test workers per processor this process may use (at least 2, at most 8).

    Much of the suite waits on what it started (a server process, a phone, a timeout), so
    twice as many workers as processors keeps them busy; each worker has its own servers on
    its own ports.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(8, max(2, 2 * (cpus or 1)))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite with coverage; fail under 95% line coverage of tikmatrix_sdk.

    It runs on two workers per processor (pytest-xdist, see :func:`_workers`), each with its
    own servers on its own ports, and in a random order (pytest-randomly prints its seed;
    ``-p no:randomly`` turns it off).
    """
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "-n",
        str(_workers()),
        "--cov=tikmatrix_sdk",
        "--cov-report=term-missing:skip-covered",
        f"--cov-fail-under={SDK_COVERAGE}",
        *session.posargs,
        env=BYTECODE,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff's linter and its formatter check."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # Every Python block of the README and the docs, as a reader copies it into an editor.
    session.run("python", "docs/_ext/page_code.py", "ruff")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the SDK, the server, the tests, the benchmarks and the docs'
    Python, per platform, then over every Python block of the README and the docs pages.

    Checked as on Linux, Windows and macOS (mypy's ``--platform``): a call one platform lacks
    must sit behind a ``sys.platform`` branch that the type checker sees.
    """
    session.install("-e", ".[typecheck]")
    for platform in ("linux", "win32", "darwin"):
        session.run(
            "mypy", "--strict", "--platform", platform, "tikmatrix_sdk", "reference_server",
            "tests", "bench", "docs/conf.py", "docs/_ext",
        )  # fmt: skip
    # Every Python block of the README and the docs, as a reader pastes it (a page's blocks
    # in order, as the docs runner runs them).
    session.run("python", "docs/_ext/page_code.py", "mypy")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("tikmatrix-server exited before serving") from None
            if time.monotonic() > deadline:
                raise RuntimeError("tikmatrix-server did not start in time") from None
            time.sleep(0.2)


@nox.session
def e2e(session: nox.Session) -> None:
    """Start tikmatrix-server as its own process, as users do, and run the SDK's e2e suite on it."""
    session.install("-e", ".[test]")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="tikmatrix-e2e-") as directory:
        server = os.path.join(session.bin, "tikmatrix-server")
        process = subprocess.Popen(
            [server, "--port", str(port), "--db", os.path.join(directory, "tasks.sqlite3")],
            env={k: v for k, v in os.environ.items() if k not in BYTECODE},
        )
        try:
            _wait_until_up(url, process)
            session.run(
                "pytest", "tests/e2e", "-p", "no:cacheprovider", f"--tikmatrix-url={url}",
                *session.posargs, env=BYTECODE,
            )  # fmt: skip
        finally:  # reference_server.testing.stop_server's steps: nox's own Python lacks the project
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML docs (warnings are errors, every reference must resolve), then run
    every example in them and in the docstrings against a live reference server."""
    session.install("-e", ".[docs]")
    session.run(
        "sphinx-build", "-E", "-W", "-n", "--keep-going", "-b", "html", "docs", "docs/_build/html"
    )
    for order in ("forward", "reverse"):  # no page may depend on the pages before it
        session.run(
            "pytest", "-p", "docs_examples", "-p", "no:cacheprovider",
            "README.md", "docs", "tikmatrix_sdk", "reference_server", *session.posargs,
            env={**BYTECODE, "PYTHONPATH": "docs/_ext", "TIKMATRIX_DOCS_ORDER": order},
        )  # fmt: skip


@nox.session
def openapi(session: nox.Session) -> None:
    """Generate a client from the served OpenAPI document with a third party's generator
    (openapi-python-client): no warning, every operation, a typed body per script's create,
    and the client answers as the SDK does (its own environment: the generator pins httpx)."""
    session.install("-e", ".[server]", "openapi-python-client")
    session.run("python", "tests/openapi_generator.py")


@nox.session
def fuzz(session: nox.Session) -> None:
    """Fuzz the real server from its OpenAPI document with many examples (not in plain nox).

    Plain ``nox`` runs the same test with 15 examples per operation; set
    ``TIKMATRIX_FUZZ_EXAMPLES`` to change this session's 300.
    """
    session.install("-e", ".[test]")
    examples = os.environ.get("TIKMATRIX_FUZZ_EXAMPLES", "300")
    session.run(
        "pytest", "tests/fuzz", "tests/test_script_rules_agree.py", "-p", "no:cacheprovider",
        *session.posargs, env={**BYTECODE, "TIKMATRIX_FUZZ_EXAMPLES": examples},
    )  # fmt: skip


@nox.session
def bench(session: nox.Session) -> None:
    """Print every benchmark's table of ratios (not in plain nox: it takes minutes).

    ``nox -s bench -- --quick`` runs smaller versions of each.
    """
    session.install("-e", ".[bench,server]", "pytest")
    for script in (
        "sdk_overhead", "import_time", "server_bench", "runner_bench", "suite_bench", "fleet_bench",
    ):  # fmt: skip
        session.run("python", f"bench/{script}.py", *session.posargs)
