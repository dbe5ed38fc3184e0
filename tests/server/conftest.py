"""Fixtures for the server's rules: an app on a manual clock, its test client, and a checker
that validates every answer against the served OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from reference_server import ServerConfig, create_app
from reference_server.clock import ManualClock
from reference_server.domain.runner import Claim, Runner
from reference_server.state import ServerState

from ..openapi_check import check_answer

START = 1_795_000_000.0  # a fixed instant, so schedules are predictable
#: The device API's answers that are not JSON on success, and their media types.
BINARY_ROUTES = {"/api/v1/rpc/hierarchy": "application/xml", "/api/v1/rpc/screenshot": "image/png"}


class CheckedClient(FlaskClient):
    """A test client that validates every /api/v1 and /_control answer against OpenAPI."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        path = response.request.path
        binary = path in BINARY_ROUTES and response.status_code == 200
        if binary:
            assert response.mimetype == BINARY_ROUTES[path], response.mimetype
        elif path.startswith(("/api/v1/", "/_control/")) and path != "/api/v1/openapi.json":
            assert response.mimetype == "application/json", response.data
            check_answer(response.request.method, path, response.status_code, response.json)
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


def hand_over_now(runner: Runner, claim: Claim, outcome: tuple[bool, str] | None) -> Claim | None:
    """``claim``'s hand-over, written by this thread; the claim it makes (kept from the
    workers)."""
    made: list[Claim] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "_dispatch", made.extend)
        runner._hand_over(claim, outcome)
    assert len(made) <= 1
    return made[0] if made else None
