"""``tikmatrix --hosts`` (and ``TIKMATRIX_HOSTS``) against the plugin's fleet of servers."""

from __future__ import annotations

import json
from pathlib import Path

from reference_server.control_client import ControlClient
from reference_server.testing import free_port
from tikmatrix_sdk.fleet import Fleet

from .test_tikmatrix_command import tikmatrix


def _spec(hosts: dict[str, str]) -> str:
    return ",".join(f"{name}={url}" for name, url in hosts.items())


def test_the_task_commands_across_hosts(
    tikmatrix_fleet: Fleet, tikmatrix_fleet_hosts: dict[str, str]
) -> None:
    env = {"TIKMATRIX_HOSTS": _spec(tikmatrix_fleet_hosts), "COLUMNS": "160"}
    created = tikmatrix(
        "tasks", "create", "follow", "--serial", "host3_device_serial_1",
        "--serial", "host1_device_serial_2", "--set", 'target_users=["@a"]', "--json", env=env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["task_ids"] == ["host1:1", "host3:1"]
    waited = tikmatrix("tasks", "wait", "host1:1", "host3:1", "--interval", "0.05", env=env)
    assert waited.returncode == 0, waited.stderr
    assert "2 task(s) finished, 0 failed" in waited.stdout
    listed = tikmatrix("tasks", "list", "--all", "--json", env=env)
    assert sorted(f"{t['host']}:{t['task']['id']}" for t in json.loads(listed.stdout)) == [
        "host1:1",
        "host3:1",
    ]
    table = tikmatrix("tasks", "stats", env=env).stdout
    assert "host" in table
    assert "total" in table
    stats = json.loads(tikmatrix("tasks", "stats", "--json", env=env).stdout)
    assert stats["total"]["completed"] == 2
    assert stats["by_host"]["host2"]["total"] == 0
    got = tikmatrix("tasks", "get", "host3:1", "--json", env=env)
    assert json.loads(got.stdout)["task"]["serial"] == "host3_device_serial_1"
    deleted = tikmatrix("tasks", "delete", "host1:1", "host2:7", env=env)
    assert "Deleted 1 task(s)" in deleted.stdout
    assert "Not found: host2:7" in deleted.stdout
    licenses = tikmatrix("license", "--json", env=env)
    assert sorted(json.loads(licenses.stdout)) == ["host1", "host2", "host3"]


def test_hosts_from_a_file_and_accounts_with_a_host_column(
    tikmatrix_fleet: Fleet, tikmatrix_fleet_hosts: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "farm.toml"
    path.write_text(
        "".join(
            f'[hosts.{n}]\nurl = "{u}"\ntimeout = 20\n\n' for n, u in tikmatrix_fleet_hosts.items()
        ),
        encoding="utf-8",
    )
    found = tikmatrix(
        "--hosts", str(path), "accounts", "list", "--device", "host2_device_serial_1", "--json"
    )
    assert found.returncode == 0, found.stderr
    assert {entry["host"] for entry in json.loads(found.stdout)} == {"host2"}
    assert len(json.loads(found.stdout)) == 3


def test_a_host_that_is_down_is_reported_after_the_others(
    tikmatrix_fleet: Fleet, tikmatrix_fleet_hosts: dict[str, str]
) -> None:
    hosts = {**tikmatrix_fleet_hosts, "down": f"http://127.0.0.1:{free_port()}"}
    done = tikmatrix("--hosts", _spec(hosts), "--timeout", "2", "tasks", "stats")
    assert done.returncode == 3  # a connection error's status
    assert "host3" in done.stdout  # the hosts that answered are printed
    assert "Error on host down:" in done.stderr


def test_ids_must_match_the_mode(tikmatrix_fleet_hosts: dict[str, str]) -> None:
    plain = tikmatrix("tasks", "get", "host1:1", url=tikmatrix_fleet_hosts["host1"])
    assert plain.returncode == 2
    assert "HOST:ID needs --hosts" in plain.stderr
    fleet = tikmatrix("--hosts", _spec(tikmatrix_fleet_hosts), "tasks", "get", "1")
    assert fleet.returncode == 2
    assert "give HOST:ID with --hosts" in fleet.stderr
    bad = tikmatrix("--hosts", "pc:1=http://x", "tasks", "stats")
    assert bad.returncode == 2
    assert "no ':'" in bad.stderr


def test_a_host_on_a_plan_without_the_api_is_shown_and_named(
    tikmatrix_fleet: Fleet, tikmatrix_fleet_hosts: dict[str, str]
) -> None:
    env = {"TIKMATRIX_HOSTS": _spec(tikmatrix_fleet_hosts), "COLUMNS": "160"}
    with ControlClient(tikmatrix_fleet_hosts["host2"]) as control:
        control.set_plan("Starter")
        try:
            licenses = tikmatrix("license", "--json", env=env)
        finally:
            control.set_plan("Pro")
    assert licenses.returncode == 4
    answers = json.loads(licenses.stdout)
    assert {host: lic["api_enabled"] for host, lic in answers.items()} == {
        "host1": True,
        "host2": False,
        "host3": True,
    }
    assert licenses.stderr.startswith("Error on host host2: [40301] API access requires")
