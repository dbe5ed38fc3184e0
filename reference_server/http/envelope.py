"""The contract's envelope, ``{"code", "message", "data"}``, for every answer."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

__all__ = ["envelope", "json_body", "success"]


def success(data: Any) -> Response:
    """The success envelope."""
    return jsonify({"code": 0, "message": "success", "data": data})


def envelope(code: int, message: str, status: int, data: Any = None) -> Response:
    """An error envelope with its HTTP status."""
    response = jsonify({"code": code, "message": message, "data": data})
    response.status_code = status
    return response


def json_body() -> Any:
    """The request's JSON body (the guards already checked its type and size)."""
    return request.get_json(silent=True)
