"""Validate an answer of the reference server against its OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from reference_server.http.openapi import document

_DOCUMENT = document()
_COMPONENTS = {"components": _DOCUMENT["components"]}
# Literal paths first, so /task/stats is not read as /task/{task_id}.
_TEMPLATES = sorted(_DOCUMENT["paths"].items(), key=lambda item: item[0].count("{"))


def operation(method: str, path: str) -> dict[str, Any] | None:
    """The document's operation for ``method path``, or ``None`` if it has none."""
    for template, operations in _TEMPLATES:
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method.lower() in operations:
            found: dict[str, Any] = operations[method.lower()]
            return found
    return None


def check_answer(method: str, path: str, status: int, body: Any) -> None:
    """Fail unless ``body`` is an envelope matching the operation's schema for ``status``."""
    assert isinstance(body, dict), body
    assert set(body) == {"code", "message", "data"}, body
    found = operation(method, path)
    if found is None:
        assert body["code"] != 0, f"{method} {path} answered success but is not documented"
        return
    responses = found["responses"]
    spec = responses["200"] if status == 200 and body["code"] == 0 else responses["default"]
    schema = spec.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        jsonschema.Draft202012Validator({**schema, **_COMPONENTS}).validate(body)
