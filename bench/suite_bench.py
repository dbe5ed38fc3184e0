"""What a user's test suite pays per test against the reference server, as ratios in one run.

A generated pytest file is run with the plugin (one reference server for the session), its
tests in three groups, taking turns:

* ``bare``: tests that take no fixture (the floor: pytest's own cost per test);
* ``fixture``: tests that only take ``tikmatrix_client`` (a reset and a client per test);
* ``wait``: tests that create one follow task and ``wait`` for it **with default arguments**.

Each test's setup, call and teardown are summed per group by a small plugin, so the server's
start and pytest's collection are left out. It prints milliseconds per test and the ratios
the issue tracks: ``wait`` over ``fixture`` (goal: at most 2x) and what the fixture adds over
a bare test (goal: at most 10 ms). Nothing is asserted. Run it with
``python bench/suite_bench.py`` (``--quick`` for fewer tests).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

QUICK = "--quick" in sys.argv
TESTS = 30 if QUICK else 100

CONFTEST = """
import json, os
from collections import defaultdict

TOTALS = defaultdict(float)
COUNTS = defaultdict(int)


def pytest_runtest_logreport(report):
    group = report.nodeid.split("::")[1].split("[")[0].split("_", 1)[1]
    TOTALS[group] += report.duration
    if report.when == "call":
        COUNTS[group] += 1


def pytest_sessionfinish(session):
    with open(os.environ["SUITE_BENCH_OUT"], "w", encoding="utf-8") as out:
        json.dump({"totals": TOTALS, "counts": COUNTS}, out)
"""

TESTS_FILE = """
import pytest
from tikmatrix_sdk import FollowConfig, TaskStatus

FOLLOW = FollowConfig(target_users=["@a"])


@pytest.mark.parametrize("n", range({count}))
def test_bare(n):
    assert n >= 0


@pytest.mark.parametrize("n", range({count}))
def test_fixture(n, tikmatrix_client):
    assert tikmatrix_client is not None


@pytest.mark.parametrize("n", range({count}))
def test_wait(n, tikmatrix_client):
    created = tikmatrix_client.tasks.create(FOLLOW, serials=["device_serial_1"])
    task = tikmatrix_client.tasks.wait(created.task_ids[0])
    assert task.status is TaskStatus.COMPLETED
"""


def main() -> None:
    """Run the generated suite and print the table."""
    with tempfile.TemporaryDirectory(prefix="suite-bench-") as directory:
        folder = Path(directory)
        (folder / "conftest.py").write_text(CONFTEST, encoding="utf-8")
        (folder / "test_suite.py").write_text(
            textwrap.dedent(TESTS_FILE).replace("{count}", str(TESTS)), encoding="utf-8"
        )
        out = folder / "result.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
            cwd=folder,
            env={**_environment(), "SUITE_BENCH_OUT": str(out)},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
        result = json.loads(out.read_text(encoding="utf-8"))
    per_test = {
        group: result["totals"][group] / result["counts"][group] * 1000
        for group in ("bare", "fixture", "wait")
    }
    print(f"{TESTS} tests per group; ms per test (setup + call + teardown)")
    for group, ms in per_test.items():
        print(f"  {group:8} {ms:8.1f}")
    print(f"wait / fixture: {per_test['wait'] / per_test['fixture']:.2f}x (goal <= 2x)")
    added = per_test["fixture"] - per_test["bare"]
    print(f"the fixture's reset and client over a bare test: {added:.1f} ms (goal <= 10 ms)")


def _environment() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("TIKMATRIX_")}


if __name__ == "__main__":
    main()
