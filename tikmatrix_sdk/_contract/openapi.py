"""The contract as an OpenAPI 3.1 document: its paths drawn from the route table.

The reference server serves this document at ``/api/v1/openapi.json``, with its own test-only
parts (the control API, the dashboard) added.
"""

from __future__ import annotations

from typing import Any

from . import routes
from .codes import CODES
from .json_schema import object_schema, ref
from .routes import API_PREFIX, ROUTES, Route
from .schemas import SCHEMAS

__all__ = ["ERROR_ANSWER", "codes_description", "operation", "paths", "success"]

#: Any error answer: the envelope, its code one of :data:`~.codes.CODES`.
ERROR_ANSWER = {
    "description": "An error envelope (see the codes in the description above)",
    "content": {"application/json": {"schema": ref("Error")}},
}


def success(schema: dict[str, Any]) -> dict[str, Any]:
    """A success answer whose envelope's ``data`` has ``schema``."""
    return {
        "description": "Success",
        "content": {
            "application/json": {
                "schema": object_schema(
                    {"code": {"const": 0}, "message": {"const": "success"}, "data": schema}
                )
            }
        },
    }


def operation(route: Route) -> dict[str, Any]:
    """One route as an OpenAPI operation."""
    if route.name == "openapi":
        answer: dict[str, Any] = {"description": "The OpenAPI document"}
        return {
            "operationId": route.name,
            "summary": route.summary,
            "tags": [route.tag],
            "responses": {"200": answer},
        }
    if route.media == "application/json":
        ok = success(route.answer)
    else:
        content = {media: {"schema": route.answer} for media in (route.media, *route.also)}
        ok = {"description": route.summary, "content": content}
    found: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "tags": [route.tag],
        "responses": {"200": ok, "default": ERROR_ANSWER},
    }
    if route.body is not None:
        found["requestBody"] = {
            "required": route.body_required,
            "content": {"application/json": {"schema": ref(route.body)}},
        }
    if route.params:
        found["parameters"] = list(route.params)
    return found


def paths() -> dict[str, Any]:
    """The document's paths, one operation per route of the table as it stands."""
    found: dict[str, Any] = {}
    for route in routes.ROUTES:
        found.setdefault(API_PREFIX + route.path, {})[route.method.lower()] = operation(route)
    return found


def codes_description() -> str:
    """Every code and the HTTP status it travels with, in a sentence each."""
    return " ".join(
        f"{code}: {meaning} (HTTP {status})." for code, (status, meaning) in sorted(CODES.items())
    )


assert all(route.body is None or route.body in SCHEMAS for route in ROUTES)
