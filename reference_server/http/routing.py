"""Flask routes registered from the contract's table of operations, by name.

A view says which operation it answers (``@contract_route(api, "get_task")``); its method and
path come from :data:`tikmatrix_sdk._contract.routes.ROUTES`, so the server cannot answer at a
path the contract does not have, and a test finds any operation no view answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Response
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from tikmatrix_sdk._contract import routes
from tikmatrix_sdk._contract.routes import API_PREFIX

__all__ = ["contract_route", "flask_path"]

F = TypeVar("F", bound=Callable[..., Response])


class _TaskIdSegment(BaseConverter):
    """A task id in a path: any segment but the names of ``/task``'s fixed routes.

    Its ``regex`` is set per app by :func:`install_converters`.
    """


def flask_path(path: str) -> str:
    """A contract path (``/task/{task_id}``) as Flask writes it (``/task/<task_id:task_id>``)."""
    return re.sub(
        r"\{(\w+)\}",
        lambda found: f"<task_id:{found[1]}>" if found[1] == "task_id" else f"<{found[1]}>",
        path,
    )


def contract_route(blueprint: Blueprint, name: str) -> Callable[[F], F]:
    """Register the decorated view as the operation ``name`` of the contract."""
    route = next(route for route in routes.ROUTES if route.name == name)
    if route.of_task is not None:
        raise ValueError(f"{name} is answered by its contract rule (of_task), not by a view")
    prefix = blueprint.url_prefix or ""
    if not prefix.startswith(API_PREFIX):
        raise ValueError(f"{blueprint.name} does not serve under {API_PREFIX}")
    inner = prefix[len(API_PREFIX) :]
    if not route.path.startswith(inner):
        raise ValueError(f"{name} ({route.path}) is not under {prefix}")

    def register(view: F) -> F:
        blueprint.add_url_rule(
            flask_path(route.path[len(inner) :]), name, view, methods=[route.method]
        )
        return view

    return register


def install_converters(setup: BlueprintSetupState) -> None:
    """Make ``<task_id:...>`` mean a task id segment (registered once per app).

    Its fixed names are read from the route table as it stands when the app is built, as the
    mock reads them from the table as it stands when it answers.
    """
    segment = routes.task_id_segment(routes.ROUTES)
    converter = type("TaskIdSegment", (_TaskIdSegment,), {"regex": segment})
    setup.app.url_map.converters["task_id"] = converter
