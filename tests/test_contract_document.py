"""What the served document says is what the server and the mock do (#32's disagreements)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from reference_server import ServerConfig, create_app
from reference_server.http.openapi import document
from tikmatrix_sdk._contract import routes
from tikmatrix_sdk._contract.routes import ROUTES, negotiate
from tikmatrix_sdk._contract.scripts import SCRIPT_RULES
from tikmatrix_sdk.testing import MockTikMatrix


@pytest.fixture(params=["server", "mock"])
def http(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A client of the reference server (in process) or of the mock: each test runs on both."""
    if request.param == "server":
        app = create_app(ServerConfig(db=":memory:", run_scheduler=False))
        with httpx.Client(
            transport=httpx.WSGITransport(app=app), base_url="http://localhost"
        ) as client:
            yield client
        app.extensions["tikmatrix_close"]()
    else:
        with MockTikMatrix(), httpx.Client(base_url="http://localhost:50809") as client:
            yield client


def _follow(**extra: object) -> dict[str, object]:
    return {
        "script_name": "follow",
        "script_config": {"target_users": ["@a"]},
        "serials": ["device_serial_1"],
        "start_time": "23:59",
        **extra,
    }


def test_an_integral_number_is_an_integer_as_the_document_says(http: httpx.Client) -> None:
    created = http.post("/api/v1/task", json=_follow(min_interval=2.0, max_interval=3.0)).json()
    assert created["code"] == 0, created
    (task_id,) = created["data"]["task_ids"]
    deleted = http.request("DELETE", "/api/v1/task/batch", json={"task_ids": [float(task_id)]})
    assert deleted.json()["data"]["task_ids"] == [task_id]
    refused = http.request("DELETE", "/api/v1/task/batch", json={"task_ids": [1.5]}).json()
    assert refused["code"] == 40001
    post = {"script_name": "post", "script_config": {"content_type": 1.0, "captions": "x"}}
    made = http.post("/api/v1/task", json={**post, "serials": ["device_serial_1"]}).json()
    task = http.get(f"/api/v1/task/{made['data']['task_ids'][0]}").json()["data"]
    assert type(task["script_config"]["content_type"]) is int  # stored as it is served


def test_a_selector_pattern_re2_cannot_match_is_refused(http: httpx.Client) -> None:
    lease = http.post("/api/v1/rpc/session", json={"serial": "device_serial_1"}).json()["data"]
    headers = {"x-session-id": lease["session_id"]}
    call = {"method": "exist", "params": [{"textMatches": "(a)\\1"}]}
    refused = http.post("/api/v1/rpc/jsonrpc", json=call, headers=headers).json()
    assert refused["code"] == 40001
    assert "params[0].textMatches" in refused["message"]
    long = {"method": "exist", "params": [{"textMatches": "a" * 201}]}
    assert http.post("/api/v1/rpc/jsonrpc", json=long, headers=headers).json()["code"] == 40001


def test_xml_and_png_are_served_as_the_request_prefers(http: httpx.Client) -> None:
    lease = http.post("/api/v1/rpc/session", json={"serial": "device_serial_1"}).json()["data"]
    session = {"x-session-id": lease["session_id"]}
    for name, accept, media in [
        ("hierarchy", None, "application/xml"),
        ("hierarchy", "text/xml", "text/xml"),
        ("screenshot", "*/*", "image/png"),
        ("screenshot", "application/octet-stream", "application/octet-stream"),
    ]:
        headers = {**session, **({"Accept": accept} if accept else {})}
        answer = http.get(f"/api/v1{routes.named(name).path}", headers=headers)
        assert answer.status_code == 200
        assert answer.headers["content-type"].split(";")[0] == media, (name, accept)
        assert answer.headers["vary"] == "Accept"


def test_negotiation_weighs_the_accept_header() -> None:
    screenshot = routes.named("screenshot")
    assert negotiate(screenshot, None) == "image/png"
    assert negotiate(screenshot, "text/html, */*;q=0.8") == "image/png"
    assert negotiate(screenshot, "image/png;q=0.5, application/octet-stream") == (
        "application/octet-stream"
    )
    assert negotiate(screenshot, "application/octet-stream;q=0") == "image/png"
    assert negotiate(screenshot, "application/octet-stream;q=x") == "image/png"
    hierarchy = routes.named("hierarchy")
    assert negotiate(hierarchy, "text/*") == "text/xml"
    assert negotiate(hierarchy, "text/*;q=0.5, application/xml") == "application/xml"
    assert negotiate(hierarchy, "text/html") == "application/xml"


def test_the_mock_says_where_users_import_it_from() -> None:
    from tikmatrix_sdk.testing import Call

    assert MockTikMatrix.__module__ == Call.__module__ == "tikmatrix_sdk.testing"


def test_the_document_describes_each_scripts_create_and_every_operation() -> None:
    served = document()
    schemas = served["components"]["schemas"]
    mapping = schemas["CreateTask"]["discriminator"]["mapping"]
    assert set(mapping) == set(SCRIPT_RULES)
    for name, rules in SCRIPT_RULES.items():
        create = schemas[mapping[name].rsplit("/", 1)[1]]
        assert create["properties"]["script_name"]["const"] == name
        config = schemas[create["properties"]["script_config"]["$ref"].rsplit("/", 1)[1]]
        assert set(config["properties"]) == set(rules.options)
    operations = [
        operation
        for path, methods in served["paths"].items()
        if path.startswith(routes.API_PREFIX + "/")
        for operation in methods.values()
    ]
    assert sorted(o["operationId"] for o in operations) == sorted(r.name for r in ROUTES)
    assert "items" in schemas["UiCall"]["properties"]["params"]
    jsonschema.validate(None, schemas["Heartbeat"])  # an empty heartbeat, as the server takes it
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(served, default_specification=DRAFT202012)
    )
    create = jsonschema.Draft202012Validator(
        {"$ref": "urn:doc#/components/schemas/CreateTask"}, registry=registry
    )
    create.validate(_follow(script_config={"target_users": ["@a"], "access_method": "search"}))
    assert not create.is_valid(_follow(script_config={"access_method": "sideways"}))
    assert not create.is_valid(_follow(script_name="Not A Name"))  # nor a custom name
    assert not create.is_valid(_follow(usernames=["@user1"]))  # serials and usernames
    neither = {key: value for key, value in _follow().items() if key != "serials"}
    assert not create.is_valid(neither)
    assert create.is_valid({**neither, "usernames": ["@user1"]})
