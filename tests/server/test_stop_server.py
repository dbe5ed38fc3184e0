"""``reference_server.testing.stop_server``: a server asked to stop stops; one that will not
is killed; either way it is reaped."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from reference_server.testing import free_port, stop_server, wait_until_serving

from ..children import own_signals, reap, unmeasured_environment


def test_a_server_asked_to_stop_stops_and_frees_its_port(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "reference_server", "--port", str(port),
            "--db", str(tmp_path / "tasks.sqlite3")]  # fmt: skip
    process = subprocess.Popen(
        own_signals(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=unmeasured_environment(),
    )  # fmt: skip
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", process, seconds=30)
        stop_server(process)
        assert process.returncode == 0, "it stopped on its own, not killed"
        with socket.socket() as probe:  # the port is free again
            probe.bind(("127.0.0.1", port))
    finally:
        reap(process)


def test_a_process_that_ignores_the_request_is_killed(tmp_path: Path) -> None:
    ignoring = (
        "import signal, sys\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", ignoring], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"  # its disposition is set: ask now
        stop_server(process, seconds=0.5)
        assert process.returncode is not None
        assert process.returncode != 0
    finally:
        reap(process)


def test_a_process_that_already_ended_is_only_reaped() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    stop_server(process)
    assert process.returncode == 0
