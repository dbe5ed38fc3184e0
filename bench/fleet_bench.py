"""A fleet of reference servers against one of them doing its share, as ratios in one run.

Ten ``tikmatrix-server`` processes of 100 simulated devices each (Business plan) stand for ten
PCs. Through one :class:`~tikmatrix_sdk.fleet.Fleet`, 100,000 zero-length tasks are created
(one create per host, sent side by side), waited for (``wait_all``, each host for its own),
and every task is listed once through the merged iterator. The baseline is one host doing a
tenth of that: 10,000 tasks, the same calls. Each phase is printed as a ratio, fleet over
baseline: 1x is the ideal (hosts working in parallel), more says what the fleet costs beyond
its hosts. On one machine the ten servers share its cores, which real PCs do not; the
figure is an upper bound of what a farm pays.

Nothing here asserts a time. Run it with ``python bench/fleet_bench.py`` (``--quick``: four
hosts of 20 devices); ``nox -s bench`` runs it with the other benchmarks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from reference_server.testing import free_port, stop_server, wait_until_serving
from tikmatrix_sdk import FollowConfig
from tikmatrix_sdk.fleet import Fleet

QUICK = "--quick" in sys.argv
HOSTS, DEVICES, PER_DEVICE = (4, 20, 10) if QUICK else (10, 100, 100)


@contextmanager
def servers(directory: Path, names: list[str]) -> Iterator[dict[str, str]]:
    """One ``python -m reference_server`` process per name, each its own store and prefix."""
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        for name in names:
            port = free_port()
            argv = [
                sys.executable, "-m", "reference_server", "--port", str(port),
                "--db", str(directory / f"{name}.sqlite3"), "--devices", str(DEVICES),
                "--device-prefix", f"{name}_", "--plan", "Business",
            ]  # fmt: skip
            log = stack.enter_context((directory / f"{name}.log").open("w", encoding="utf-8"))
            process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
            stack.callback(stop_server, process)
            urls[name] = f"http://127.0.0.1:{port}"
            wait_until_serving(urls[name], process, seconds=60)
        yield urls


def run(urls: dict[str, str]) -> dict[str, float]:
    """Create, wait for and list every task through a fleet over ``urls``; seconds per phase."""
    config = FollowConfig(target_users=[f"@fan{n}" for n in range(PER_DEVICE)])
    serials = [f"{host}_device_serial_{n}" for host in urls for n in range(1, DEVICES + 1)]
    with Fleet(urls) as fleet:
        fleet.refresh()  # who owns what: learned once, before the clock starts
        started = time.perf_counter()
        created = fleet.tasks.create(config, serials=serials).raise_for_failures()
        made = time.perf_counter()
        fleet.tasks.wait_all(created.task_ids, timeout=3600, poll_interval=0.5)
        waited = time.perf_counter()
        listed = {item.id for item in fleet.tasks.iter()}
        walked = time.perf_counter()
    expected = len(urls) * DEVICES * PER_DEVICE
    if created.created_count != expected or len(listed) != expected:
        raise AssertionError(f"expected {expected} tasks, made {created.created_count}, "
                             f"listed {len(listed)}")  # fmt: skip
    return {
        "create": made - started,
        "wait": waited - made,
        "list": walked - waited,
        "total": walked - started,
    }


def main() -> None:
    """Run the baseline and the fleet, and print each phase as a ratio."""
    names = [f"h{n}" for n in range(1, HOSTS + 1)]
    with tempfile.TemporaryDirectory(prefix="tikmatrix-fleet-bench-") as name:
        directory = Path(name)
        with servers(_dir(directory, "one"), names[:1]) as one:
            alone = run(one)
        with servers(_dir(directory, "all"), names) as every:
            fleet = run(every)
    tasks = HOSTS * DEVICES * PER_DEVICE
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs" + (" (quick)" if QUICK else ""))
    print(
        f"{HOSTS} hosts x {DEVICES} devices, {tasks:,} tasks; baseline: 1 host, {tasks // HOSTS:,}"
    )
    print(f"{'phase':10} {'1 host (s)':>12} {f'{HOSTS} hosts (s)':>14}  ratio")
    for phase in ("create", "wait", "list", "total"):
        ratio = fleet[phase] / alone[phase]
        print(f"{phase:10} {alone[phase]:12.2f} {fleet[phase]:14.2f}  {ratio:.2f}x")


def _dir(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir()
    return path


if __name__ == "__main__":
    main()
