"""How long ``import tikmatrix_sdk`` takes, against ``import httpx``, each in a fresh interpreter.

Each import is timed inside a new ``python`` process (the interpreter's own start-up is left
out), ``--runs`` times in turns, and the median of each is printed with the ratio. The SDK's
import includes httpx's, so the ratio is 1 + (the SDK's own cost / httpx's).

httpx imports its command-line extras (click, rich, pygments) when they are installed; a
default ``pip install tikmatrix-sdk`` has none of them. The imports are timed as on such an
install: those modules are made unimportable in the child processes, for both sides alike.
The bytecode of both packages is written first, as ``pip install`` does. Run it from the
project's root with ``python bench/import_time.py`` (``--runs N``, default 15).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys

#: Modules a default install does not have but a development environment may.
ABSENT = ("click", "rich", "pygments")

#: What is timed: the floor, the goal's subject, and what a typical program imports.
STATEMENTS = (
    "import httpx",
    "import tikmatrix_sdk",
    "from tikmatrix_sdk import TikMatrix, PostConfig",
)

_CHILD = """
import sys, time
for name in {absent!r}:
    sys.modules[name] = None  # "import name" now raises ImportError, as if not installed
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""


def time_import(statement: str, *, absent: tuple[str, ...]) -> float:
    """Seconds ``statement`` takes in a fresh interpreter."""
    code = _CHILD.format(statement=statement, absent=list(absent))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_ENV
    )
    return float(result.stdout)


#: The children may write and read bytecode, as an installed package has it.
_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def compile_packages() -> None:
    """Write the bytecode of both packages first: ``pip install`` does, a source tree may not."""
    import httpx

    import tikmatrix_sdk

    for package in (httpx, tikmatrix_sdk):
        compileall.compile_dir(os.path.dirname(package.__file__ or ""), quiet=1)


def main() -> None:
    """Time both imports in turns and print the medians and their ratio."""
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15
    if "--quick" in sys.argv:
        runs = min(runs, 5)
    compile_packages()
    times: dict[str, list[float]] = {statement: [] for statement in STATEMENTS}
    for _ in range(runs):
        for statement in STATEMENTS:
            times[statement].append(time_import(statement, absent=ABSENT))
    base = statistics.median(times[STATEMENTS[0]])
    print(f"Python {sys.version.split()[0]}, {runs} fresh interpreters each, medians")
    print(f"{'statement':48} {'ms':>8} {'x httpx':>8}")
    for statement in STATEMENTS:
        median = statistics.median(times[statement])
        print(f"{statement:48} {median * 1000:8.1f} {median / base:8.2f}")


if __name__ == "__main__":
    main()
