"""``tikmatrix-server`` as users run it: a process on a free port, killed and started again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_server.cli import parse_args
from reference_server.state import loopback_url
from tikmatrix_sdk import TikMatrix

from ..children import own_signals
from ..cli_process import free_port, output_of, server_process
from ..waiting import wait_until


def data(response: httpx.Response) -> Any:
    body = response.json()
    assert body["code"] == 0, body
    return body["data"]


def test_killed_server_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "tasks.sqlite3"
    body = {"script_name": "follow", "script_config": {"target_users": ["@a", "@b"]}}
    with server_process(db, "--devices", "2") as (process, base):
        for serial in ("device_serial_1", "device_serial_2"):
            httpx.put(f"{base}/_control/devices/{serial}/behaviour", json={"duration": 60})
        created = data(
            httpx.post(
                f"{base}/api/v1/task",
                json={**body, "serials": ["device_serial_1", "device_serial_2"]},
            )
        )
        ids = created["task_ids"]
        wait_until(
            lambda: data(httpx.get(f"{base}/api/v1/task/stats"))["running"] == 2,
            "both tasks to start",
            timeout=20,
            interval=0.05,
        )
        process.kill()  # SIGKILL; TerminateProcess on Windows: no chance to clean up
        process.wait(10)
    with server_process(db) as (_, base):
        tasks = {t["id"]: t for t in data(httpx.get(f"{base}/api/v1/task"))["tasks"]}
        assert sorted(tasks) == sorted(ids)
        interrupted = [t for t in tasks.values() if t["remark"] == "interrupted"]
        assert len(interrupted) == 2
        assert all(t["status"] == 3 for t in interrupted)
        # The two that were waiting are picked up by the restarted scheduler, not lost.
        assert all(t["status"] in (0, 1, 2) for t in tasks.values() if t not in interrupted)
        retried = data(httpx.post(f"{base}/api/v1/task/{interrupted[0]['id']}/retry"))
        assert (retried["status"], retried["retry_count"]) == (0, 1)


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_cleanly_and_requests_are_logged(tmp_path: Path, signum: int) -> None:
    store = tmp_path / "tasks.sqlite3"
    with server_process(store, "--plan", "team") as (process, base):
        assert data(httpx.get(f"{base}/api/v1/license/check"))["plan_name"] == "Team"
        process.send_signal(signum)
        assert process.wait(15) == 0
        output = output_of(process)
    assert f"TikMatrix reference server on {base}/api/v1\n" in output
    assert "  devices: simulated devices\n" in output
    assert f"  task store: {store}\n" in output
    assert f"  dashboard: {base}/ (open it in a browser)\n" in output
    assert "Press Ctrl+C to stop.\n" in output
    assert "GET /api/v1/license/check 200" in output
    assert "stopping" in output


def test_arguments() -> None:
    args = parse_args(
        ["--port", "6000", "--plan", "Business", "--devices", "3", "--db", ":memory:"]
    )
    assert (args.port, args.plan, args.devices, args.db, args.host) == (
        6000,
        "Business",
        3,
        ":memory:",
        "127.0.0.1",
    )
    for spelling in ("starter", "STARTER", " Starter"):
        assert parse_args(["--plan", spelling]).plan == "Starter"
    assert parse_args([]).threads == 64  # 50 calls in flight are served at once
    bad_arguments = (
        ["--port", "70000"],
        ["--devices", "-1"],
        ["--plan", "Gold"],
        ["--threads", "0"],
        ["--threads", "513"],
        ["--virtual-port", "5560"],  # with no virtual phones
        ["--virtual-devices", "2", "--virtual-port", "80"],
        ["--virtual-devices", "2", "--virtual-port", "65535"],
    )
    for bad in bad_arguments:
        with pytest.raises(SystemExit):
            parse_args(bad)


def test_virtual_devices_through_the_cli(tmp_path: Path) -> None:
    with server_process(tmp_path / "tasks.sqlite3", "--virtual-devices", "1") as (process, base):
        accounts = data(httpx.get(f"{base}/api/v1/accounts"))["accounts"]
        assert {a["username"] for a in accounts} == {"@phone1_tiktok", "@phone1_insta"}
        serial = accounts[0]["device"]
        assert serial.startswith("127.0.0.1:")
        body = {
            "usernames": ["@phone1_tiktok"],
            "script_name": "follow",
            "script_config": {"target_users": ["@cli_user"]},
        }
        (task_id,) = data(httpx.post(f"{base}/api/v1/task", json=body))["task_ids"]
        task = wait_until(
            lambda: (t := data(httpx.get(f"{base}/api/v1/task/{task_id}")))["status"] >= 2 and t,
            "the task to finish",
            timeout=60,
            interval=0.1,
        )
        assert task["status"] == 2, task["remark"]
        records = data(httpx.get(f"{base}/_control/devices/{serial}/records"))["records"]
        follows = [(r["action"], r["platform"], r["user"]) for r in records]
        assert ("follow", "tiktok", "cli_user") in follows
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_a_virtual_phone_on_a_port_of_ones_choosing_is_named_in_the_banner(
    tmp_path: Path,
) -> None:
    """#34, item 9: a stable serial, named with the adb command that reaches it."""
    port = free_port()
    serial = f"127.0.0.1:{port}"
    first = ("--virtual-devices", "1", "--virtual-port", str(port))
    with server_process(tmp_path / "a.sqlite3", *first) as (process, base):
        banner = output_of(process)
        adb_port = int(banner.split(" adb -P ", 1)[1].split()[0])
        assert f"    {serial}  adb -P {adb_port} -s {serial} shell\n" in banner
        assert "(your own adb reaches them too: adb connect SERIAL)" in banner
        listed = data(httpx.get(f"{base}/_control/devices"))["devices"]
        assert [(d["serial"], d["kind"]) for d in listed] == [(serial, "virtual")]
        with TikMatrix(base) as client:  # one word for one thing, on every route
            assert [(d.serial, d.kind) for d in client.devices.list()] == [(serial, "virtual")]
        again = subprocess.run(
            own_signals(
                [sys.executable, "-m", "reference_server", "--port", str(free_port()),
                 "--db", str(tmp_path / "b.sqlite3"), *first]
            ),
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert again.returncode == 2
        assert again.stderr.strip() == (
            f"tikmatrix-server: virtual phone 1 cannot listen on {serial} (Address already in "
            "use): pick another first port with --virtual-port"
        )
    with server_process(tmp_path / "a.sqlite3", *first) as (process, base):
        listed = data(httpx.get(f"{base}/_control/devices"))["devices"]
        assert [d["serial"] for d in listed] == [serial]  # the same serial on the next start


@pytest.mark.parametrize(
    "request_line",
    [b"GET /api/v1/task/\xff\xfe HTTP/1.1", b"GET /api/v1/ta sk HTTP/1.1"],
)
def test_requests_waitress_cannot_parse_get_the_envelope(
    tmp_path: Path, request_line: bytes
) -> None:
    with server_process(tmp_path / "tasks.sqlite3") as (_, base):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(request_line + b"\r\nHost: localhost\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.split(b" ", 2)[1] == b"400", head
        assert b"Content-Type: application/json" in head
        envelope = json.loads(body)
        assert envelope["code"] == 40001, envelope
        assert envelope["data"] is None


def test_the_openapi_document_names_the_port_it_is_served_on(tmp_path: Path) -> None:
    with server_process(tmp_path / "tasks.sqlite3") as (_, base):
        document = httpx.get(f"{base}/api/v1/openapi.json").json()
        assert document["servers"] == [{"url": base}]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("http://[::]:8080", "http://[::1]:8080"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_the_banner_names_a_dashboard_a_browser_may_open(url: str, shown: str) -> None:
    assert loopback_url(url) == shown


def test_the_running_page_states_the_threads_the_command_takes() -> None:
    from reference_server.cli import DEFAULT_THREADS, MAX_THREADS

    page = Path(__file__).resolve().parents[2] / "docs" / "server" / "running.md"
    text = page.read_text(encoding="utf-8")
    assert f"| `--threads` | `{DEFAULT_THREADS}` |" in text
    assert f"1\u2013{MAX_THREADS}" in text  # an en dash, as the page writes ranges


def test_a_call_is_served_beside_hundreds_of_idle_keep_alive_connections(
    tmp_path: Path,
) -> None:
    """Waitress's own limit is 100 connections: the 101st client would wait unanswered."""
    with server_process(tmp_path / "tasks.sqlite3") as (_, base):
        port = int(base.rsplit(":", 1)[1])
        request = b"GET /api/v1/task/stats HTTP/1.1\r\nHost: localhost\r\n\r\n"
        idle: list[socket.socket] = []
        try:
            for _ in range(300):
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                idle.append(sock)
                sock.sendall(request)
                answer = b""
                while b"\r\n\r\n" not in answer:
                    answer += sock.recv(65536)
                assert answer.startswith(b"HTTP/1.1 200"), answer
            assert data(httpx.get(f"{base}/api/v1/task/stats", timeout=10))["total"] == 0
        finally:
            for sock in idle:
                sock.close()


def test_the_server_leaves_what_it_built_out_of_later_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By the time it serves, everything built so far is frozen (:func:`gc.freeze`): the
    full collections of a long-running server walk only what came later."""
    import gc

    from reference_server import cli

    frozen: list[int] = []

    class Served:
        effective_port = 0

        def run(self) -> None:
            frozen.append(gc.get_freeze_count())

        def close(self) -> None:
            pass

    monkeypatch.setattr(cli, "make_server", lambda app, **_: Served())
    monkeypatch.setattr(cli, "_stop_on_signals", lambda: None)
    assert gc.get_freeze_count() == 0
    try:
        assert cli.main(["--port", "0", "--db", str(tmp_path / "tasks.sqlite3")]) == 0
    finally:
        gc.unfreeze()
    (count,) = frozen
    assert count > 10_000  # the modules, the app, the store
