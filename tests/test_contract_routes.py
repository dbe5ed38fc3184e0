"""The route table is the contract's one list of operations: the server, the mock and the
OpenAPI document each have exactly its routes, no more and no fewer."""

from __future__ import annotations

from reference_server import ServerConfig, create_app
from reference_server.http.openapi import document
from reference_server.http.routing import flask_path
from tikmatrix_sdk._contract.routes import API_PREFIX, ROUTES
from tikmatrix_sdk.testing import MockTikMatrix

TABLE = {(route.method, API_PREFIX + route.path) for route in ROUTES}


def test_the_server_serves_exactly_the_routes_of_the_table() -> None:
    app = create_app(ServerConfig(db=":memory:", run_scheduler=False))
    try:
        served = {
            (method, rule.rule)
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith(API_PREFIX + "/")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        }
    finally:
        app.extensions["tikmatrix_close"]()
    assert served == {(method, flask_path(path)) for method, path in TABLE}


def test_the_openapi_document_has_exactly_the_routes_of_the_table() -> None:
    documented = {
        (method.upper(), path)
        for path, operations in document()["paths"].items()
        if path.startswith(API_PREFIX + "/")
        for method in operations
    }
    assert documented == TABLE


def test_the_mock_answers_every_route_of_the_table() -> None:
    # A route whose answer a contract rule draws from a task is answered through that rule.
    missing = [
        route.name
        for route in ROUTES
        if not hasattr(MockTikMatrix, f"_{route.name}") and route.of_task is None
    ]
    assert missing == []


def test_every_code_of_the_contract_has_its_own_sdk_exception() -> None:
    from tikmatrix_sdk._contract.codes import CODES, http_status_of
    from tikmatrix_sdk.errors import APIError, error_class_for_code

    for code in CODES:
        found = error_class_for_code(code, http_status_of(code))
        assert found is not APIError, code
        assert found.expected_code == code, (code, found)
