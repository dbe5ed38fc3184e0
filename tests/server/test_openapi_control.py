"""The OpenAPI document describes the control API's request bodies as the server reads them."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient

from reference_server.http.openapi import document
from tests.openapi_check import operation

from .conftest import ok

_COMPONENTS = {"components": document()["components"]}

# Bodies the server accepts, one per control route that takes a body.
ACCEPTED: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/_control/reset", {"devices": 3}),
    ("POST", "/_control/devices", {"serials": ["lab_phone_1"]}),
    (
        "PUT",
        "/_control/devices/device_serial_1/behaviour",
        {"duration": 0.5, "failure": "rate", "rate": 0.25, "sequence": ["ok"], "seed": 7},
    ),
    (
        "POST",
        "/_control/accounts",
        {"accounts": [{"username": "@lab", "device": "device_serial_1", "tag": "lab"}]},
    ),
    ("PUT", "/_control/plan", {"plan": "Team"}),
    (
        "POST",
        "/_control/tasks",
        {
            "serials": ["device_serial_1"],
            "script_name": "follow",
            "script_config": {"target_username": "@a"},
        },
    ),
    (
        "POST",
        "/_control/faults",
        {"path": "/api/v1/task/*", "latency": 0.1, "code": 50001, "times": 1},
    ),
    ("POST", "/_control/clock/advance", {"seconds": 60}),
    (
        "PUT",
        "/_control/devices/device_serial_1/apps",
        {"package": "com.example.hello", "screens": {"main": {"widgets": [{"text": "Hi"}]}}},
    ),
]

# Bodies the server refuses with 40001, each also outside the documented schema.
REFUSED: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/_control/reset", {"devices": 501}),
    ("PUT", "/_control/devices/device_serial_1/behaviour", {"colour": "red"}),
    ("PUT", "/_control/devices/device_serial_1/behaviour", {"failure": "sometimes"}),
    ("POST", "/_control/accounts", {"accounts": []}),
    ("PUT", "/_control/plan", {"plan": "Gold"}),
    ("POST", "/_control/faults", {"latency": 61}),
    ("POST", "/_control/faults", {"http_status": 99}),
    ("POST", "/_control/clock/advance", {"seconds": -1}),
    (
        "PUT",
        "/_control/devices/device_serial_1/apps",
        {"package": "hello", "screens": {"main": {"widgets": []}}},
    ),
    (
        "PUT",
        "/_control/devices/device_serial_1/apps",
        {"package": "com.example.a", "screens": {"main": {"widgets": [{"colour": "red"}]}}},
    ),
    (
        "PUT",
        "/_control/devices/device_serial_1/apps",
        {"package": "com.example.a", "screens": {"main": {"widgets": [{"bounds": [1, 2]}]}}},
    ),
]


def _schema(method: str, path: str) -> dict[str, Any]:
    found = operation(method, path)
    assert found is not None, f"{method} {path} is not documented"
    schema = found["requestBody"]["content"]["application/json"]["schema"]
    return {**schema, **_COMPONENTS}


@pytest.mark.parametrize(("method", "path", "body"), ACCEPTED)
def test_accepted_bodies_match_the_document(
    client: FlaskClient, method: str, path: str, body: dict[str, Any]
) -> None:
    jsonschema.Draft202012Validator(_schema(method, path)).validate(body)
    ok(client.open(path, method=method, json=body))


@pytest.mark.parametrize(("method", "path", "body"), REFUSED)
def test_refused_bodies_are_outside_the_document(
    client: FlaskClient, method: str, path: str, body: dict[str, Any]
) -> None:
    assert not jsonschema.Draft202012Validator(_schema(method, path)).is_valid(body)
    answer = client.open(path, method=method, json=body)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == 40001


def test_every_control_route_with_a_body_documents_it() -> None:
    paths = document()["paths"]
    without = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        if path.startswith("/_control")
        for method, spec in operations.items()
        if method in ("post", "put")
        and "requestBody" not in spec
        and not path.endswith(("/disconnect", "/reconnect", "/run"))
    ]
    assert without == []


def test_the_control_api_page_lists_every_control_route_and_no_other() -> None:
    """docs/server/control-api.md's table is written for people: held to the document."""
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "server" / "control-api.md"
    listed = set(re.findall(r"^\| `(GET|POST|PUT|DELETE) (/_control[^`]*)` \|", page.read_text(
        encoding="utf-8"), flags=re.MULTILINE))  # fmt: skip
    documented = {
        (method.upper(), path)
        for path, operations in document()["paths"].items()
        if path.startswith("/_control")
        for method in operations
    }
    assert listed == documented
