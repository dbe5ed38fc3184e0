"""The tables of ``docs/contract.md`` (and the models of the API reference), drawn from the contract.

A table stands in the page's source as a pair of markers, ``<!-- contract-table: NAME -->``
and ``<!-- end contract-table -->``, with nothing between them: the docs build draws each
table as it reads the page, so the page can never be out of date with the contract. Run this
file (``python docs/_ext/contract_tables.py``) to print the page as the build reads it.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from tikmatrix_sdk._contract import limits
from tikmatrix_sdk._contract.codes import CODES
from tikmatrix_sdk._contract.routes import ROUTES, Route
from tikmatrix_sdk._contract.schemas import SCHEMAS

__all__ = ["TABLES", "refresh", "setup"]

PAGE = Path(__file__).resolve().parents[1] / "contract.md"
_BLOCK = re.compile(
    r"(<!-- contract-table: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end contract-table -->)",
    re.DOTALL,
)


def _shape(schema: dict[str, Any]) -> str:
    """A schema in a few characters: a component's keys, an array of them, a type."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        keys = SCHEMAS[name].get("properties", {})
        return f"{name} `{{{', '.join(keys)}}}`" if len(keys) <= 6 else name
    if schema.get("type") == "array":
        return f"array of {_shape(schema['items'])}"
    if "contentMediaType" in schema:
        return f"({schema['contentMediaType']})"
    return f"{schema.get('type', 'any JSON value')}"


def _call(route: Route) -> str:
    return ", ".join(f"`{call}`" for call in route.sdk)


def _operation(route: Route) -> str:
    return f"`{route.method} /api/v1{route.path}`"


def _codes() -> str:
    rows = [
        "| code | meaning | HTTP status |",
        "|---|---|---|",
        "| 0 | success | 200 |",
    ]
    rows += [
        f"| {code} | {meaning} | {status} |"
        for code, (status, meaning) in CODES.items()
    ]
    return "\n".join(rows)


def _task_api() -> str:
    rows = [
        "| operation | what it does | `data` on success | SDK |",
        "|---|---|---|---|",
    ]
    for route in ROUTES:
        if not route.path.startswith("/rpc") and route.name != "openapi":
            body = f" (body: {route.body})" if route.body else ""
            rows.append(
                f"| {_operation(route)} | {route.summary}{body} | {_shape(route.answer)} "
                f"| {_call(route)} |"
            )
    return "\n".join(rows)


def _device_api() -> str:
    rows = [
        "| operation | what it does | body | `data` on success | SDK |",
        "|---|---|---|---|---|",
    ]
    for route in ROUTES:
        if route.path.startswith("/rpc"):
            body = ""
            if route.body:
                fields = SCHEMAS[route.body]["properties"]
                required = set(SCHEMAS[route.body].get("required", ()))
                body = ", ".join(
                    f"{key}{'' if key in required else '?'}" for key in fields
                )
                body = f"`{{{body}}}`"
            rows.append(
                f"| {_operation(route)} | {route.summary} | {body} | {_shape(route.answer)} "
                f"| {_call(route)} |"
            )
    return "\n".join(rows)


def _documented_constants() -> list[tuple[list[str], str]]:
    """The constants of ``limits`` with the ``#:`` comment above each, in source order."""
    source = Path(limits.__file__).read_text(encoding="utf-8")
    found: list[tuple[list[str], str]] = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign):
            continue
        lines = source.splitlines()[: node.lineno - 1]
        comment: list[str] = []
        while lines and lines[-1].startswith("#:"):
            comment.insert(0, lines.pop()[2:].strip())
        target = node.targets[0]
        parts = target.elts if isinstance(target, ast.Tuple) else [target]
        names = [part.id for part in parts if isinstance(part, ast.Name)]
        if comment and names != ["__all__"]:
            found.append((names, " ".join(comment).replace("``", "`")))
    return found


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else repr(value)


def _limits() -> str:
    rows = ["| limit | value | what it bounds |", "|---|---|---|"]
    for names, meaning in _documented_constants():
        values = ", ".join(_number(getattr(limits, name)) for name in names)
        shown = ", ".join(f"`{name}`" for name in names)
        rows.append(f"| {shown} | {values} | {meaning} |")
    return "\n".join(rows)


def _models() -> str:
    """The API reference's models: every public model, as the SDK exports it."""
    from tikmatrix_sdk import models
    from tikmatrix_sdk._contract.shapes import SHAPES

    order = [name for name in SHAPES if name in models.__all__]
    order += sorted(set(models.__all__) - set(order))
    lines = ["```{eval-rst}"]
    for name in order:
        cls = getattr(models, name)
        lines += [f".. autoclass:: tikmatrix_sdk.{name}", "   :members:"]
        if issubclass(cls, Enum):
            lines.append("   :undoc-members:")
        else:
            lines.append("   :inherited-members:")
        lines.append("   :no-show-inheritance:")
    return "\n".join([*lines, "```"])


#: Each table a page may hold, by name.
TABLES: dict[str, Callable[[], str]] = {
    "codes": _codes,
    "task-api": _task_api,
    "device-api": _device_api,
    "limits": _limits,
    "models": _models,
}
#: The pages that hold tables.
PAGES = ("contract", "reference/sdk")


def refresh(text: str) -> str:
    """``text`` with every contract table drawn afresh."""

    def draw(found: re.Match[str]) -> str:
        return f"{found[1]}{TABLES[found['name']]()}\n{found[4]}"

    return _BLOCK.sub(draw, text)


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    if docname in PAGES:
        source[0] = refresh(source[0])


def setup(app: Any) -> dict[str, Any]:
    """The Sphinx extension: draw the contract page's tables as the page is read."""
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True}


if __name__ == "__main__":
    sys.stdout.write(refresh(PAGE.read_text(encoding="utf-8")))
