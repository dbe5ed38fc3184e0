"""A device keeps only its latest records, whatever kind it is: memory and the records answer
stay bounded however long the server runs."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from reference_server.android.apps import APPS
from reference_server.android.system import AndroidSystem
from reference_server.devices.simulated import SimulatedDevice
from reference_server.state import ServerState
from tikmatrix_sdk._contract import records

from .conftest import create, ok
from .test_run_context import run_context

KEPT = 3


@pytest.fixture
def few(monkeypatch: pytest.MonkeyPatch) -> None:
    """Devices made meanwhile keep :data:`KEPT` records."""
    monkeypatch.setattr(records, "MAX_RECORDS", KEPT)


@pytest.mark.usefixtures("few")
def test_a_simulated_device_keeps_its_latest_records() -> None:
    device = SimulatedDevice("s1")
    for n in range(KEPT + 2):
        device.follow(run_context(n), user=f"@{n}", access_method="search", undo=False)
    assert [record["user"] for record in device.records] == ["@2", "@3", "@4"]


@pytest.mark.usefixtures("few")
def test_a_phones_model_keeps_its_latest_records() -> None:
    system = AndroidSystem("p1")
    try:
        for n in range(KEPT + 2):
            system.record("follow", APPS["tiktok"], user=f"@{n}")
        assert [record["user"] for record in system.records] == ["@2", "@3", "@4"]
        assert [record["user"] for record in system.snapshot()["records"]] == ["@2", "@3", "@4"]
    finally:
        system.close()


def test_the_records_answer_serves_what_is_kept(
    few: None, client: FlaskClient, server: ServerState
) -> None:
    server.fleet.clear()
    server.fleet.simulated("device_serial_1")  # made with the smaller bound
    create(
        client,
        serials=["device_serial_1"],
        script_name="follow",
        script_config={"target_users": [f"@{n}" for n in range(KEPT + 2)]},
    )
    server.runner.run_until_idle()
    kept = ok(client.get("/_control/devices/device_serial_1/records"))["records"]
    assert [record["user"] for record in kept] == [f"@{n}" for n in range(2, KEPT + 2)]
