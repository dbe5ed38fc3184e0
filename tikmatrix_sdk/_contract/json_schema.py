"""The building blocks of this package's JSON Schemas: a component, and an object.

The OpenAPI document (the contract's part and the server's) and the dashboard state's schema
are written with them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["object_schema", "ref"]


def ref(name: str) -> dict[str, str]:
    """A reference to the OpenAPI document's component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def object_schema(
    properties: dict[str, Any], *, required: list[str] | None = None
) -> dict[str, Any]:
    """An object with ``properties``, every one of them required unless ``required`` says."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
