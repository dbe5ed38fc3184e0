"""Fixtures for the server's rules: an app on a manual clock, its test client, and a checker
that validates every answer against the served OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from reference_server import ServerConfig, create_app
from reference_server.clock import ManualClock
from reference_server.openapi import document
from reference_server.state import ServerState

START = 1_795_000_000.0  # a fixed instant, so schedules are predictable

_DOCUMENT = document()
_SCHEMAS = {"components": _DOCUMENT["components"]}


def _operation(method: str, path: str) -> dict[str, Any]:
    templates = sorted(_DOCUMENT["paths"].items(), key=lambda item: item[0].count("{"))
    for template, operations in templates:
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method.lower() in operations:
            operation: dict[str, Any] = operations[method.lower()]
            return operation
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def check_against_openapi(method: str, path: str, response: TestResponse) -> None:
    """Validate an answer against the document's schema for that operation and status."""
    responses = _operation(method, path)["responses"]
    spec = (
        responses["200"]
        if response.status_code == 200 and response.json and response.json.get("code") == 0
        else responses["default"]
    )
    schema = spec.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return
    validator = jsonschema.Draft202012Validator({**schema, **_SCHEMAS})
    validator.validate(response.json)


class CheckedClient(FlaskClient):
    """A test client that validates every /api/v1 and /_control answer against OpenAPI."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        request = response.request
        path = request.path
        if (path.startswith(("/api/v1/", "/_control/"))) and path != "/api/v1/openapi.json":
            assert response.mimetype == "application/json", response.data
            body = response.json
            assert isinstance(body, dict)
            assert set(body) == {"code", "message", "data"}
            try:
                _operation(request.method, path)
            except AssertionError:
                if body["code"] == 0:
                    raise
                return response  # an unknown route answers with an error envelope
            check_against_openapi(request.method, path, response)
        return response


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Flask]:
    application = create_app(
        ServerConfig(db=tmp_path / "tasks.sqlite3", clock=clock, run_scheduler=False, seed=7)
    )
    application.test_client_class = CheckedClient
    yield application
    application.extensions["tikmatrix_close"]()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def server(app: Flask) -> ServerState:
    state: ServerState = app.extensions["tikmatrix"]
    return state


def ok(response: TestResponse) -> Any:
    """The data of a success envelope (fails the test otherwise)."""
    body = response.json
    assert body is not None
    assert response.status_code == 200, body
    assert body["code"] == 0, body
    assert body["message"] == "success"
    return body["data"]


def error(response: TestResponse, code: int, status: int, *, mentions: str = "") -> str:
    """Check an error envelope and return its message."""
    body = response.json
    assert body is not None
    assert (response.status_code, body["code"]) == (status, code), body
    assert mentions in body["message"], body["message"]
    message: str = body["message"]
    return message


def create(client: FlaskClient, **body: Any) -> list[int]:
    """Create tasks and return their ids."""
    ids: list[int] = ok(client.post("/api/v1/task", json=body))["task_ids"]
    return ids


POST = {"script_name": "post", "script_config": {"captions": "hi", "material_list": ["C:/v.mp4"]}}
