"""Sessions for tests, lint and types; plain ``nox`` runs them all.

No session names a Python version: each gets a virtualenv made from the interpreter nox runs
on, so ``CI=true`` (where a missing interpreter is an error) works on any machine.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests"]

SDK_COVERAGE = "95"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite with coverage; fail under 95% line coverage of tikmatrix_sdk."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "--cov=tikmatrix_sdk",
        "--cov-report=term-missing:skip-covered",
        f"--cov-fail-under={SDK_COVERAGE}",
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff's linter and its formatter check."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the SDK, the reference server and the tests."""
    session.install("-e", ".[typecheck]")
    session.run("mypy", "--strict", "tikmatrix_sdk", "reference_server", "tests")
