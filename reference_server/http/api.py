"""The ``/api/v1`` blueprint: parse at the edge, call the service, wrap the envelope."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from ..domain.service import CreateRequest
from ..state import state
from .envelope import json_body, success
from .faults import apply_fault
from .wire import (
    account_filters,
    account_json,
    page_args,
    parse_create,
    parse_task_id,
    parse_task_ids,
    task_filters,
    task_json,
)

__all__ = ["api", "parse_create_body"]

api = Blueprint("api", __name__, url_prefix="/api/v1")


class _TaskIdSegment(BaseConverter):
    """A task id in a path: any segment but the names of ``/task``'s fixed routes.

    Without this, ``GET /task/stats``'s neighbour ``/task/batch`` would also answer ``GET`` (as
    a task named "batch"), and ``Allow`` would list a method the contract does not have.
    """

    regex = r"(?!(?:batch|stats|retry-all)$)[^/]+"


@api.record_once
def _register_converter(setup: BlueprintSetupState) -> None:
    setup.app.url_map.converters["task_id"] = _TaskIdSegment


@api.before_request
def _faults_and_plan() -> None:
    apply_fault(state().faults, request.method, request.path)
    if request.endpoint != "api.openapi":
        state().service.check_api_access()


@api.post("/task")
def create_task() -> Response:
    """Create tasks."""
    ids = state().service.create(parse_create_body())
    return success({"task_ids": ids, "created_count": len(ids)})


@api.get("/task")
def list_tasks() -> Response:
    """One page of tasks, newest first."""
    page, page_size = page_args(request.args)
    tasks, total = state().service.list_tasks(task_filters(request.args), page, page_size)
    return _page("tasks", [task_json(t) for t in tasks], total, page, page_size)


@api.get("/task/stats")
def task_stats() -> Response:
    """Counts by status."""
    return success(state().service.stats())


@api.post("/task/retry-all")
def retry_all() -> Response:
    """Retry every failed task."""
    ids = state().service.retry_all()
    return success({"retried_count": len(ids), "task_ids": ids})


@api.delete("/task/batch")
def delete_batch() -> Response:
    """Delete several tasks."""
    deleted, missing = state().service.delete(parse_task_ids(json_body()))
    return success({"deleted_count": len(deleted), "task_ids": deleted, "not_found_ids": missing})


@api.get("/task/<task_id:task_id>")
def get_task(task_id: str) -> Response:
    """One task."""
    return success(task_json(state().service.get(parse_task_id(task_id))))


@api.delete("/task/<task_id:task_id>")
def delete_task(task_id: str) -> Response:
    """Delete one task (stopping it first if it runs)."""
    service = state().service
    task = service.get(parse_task_id(task_id))
    deleted, _ = service.delete([task.id])
    return success({"deleted_count": len(deleted), "task_ids": deleted})


@api.post("/task/<task_id:task_id>/stop")
def stop_task(task_id: str) -> Response:
    """Stop a pending or running task."""
    return success(task_json(state().service.stop(parse_task_id(task_id))))


@api.post("/task/<task_id:task_id>/retry")
def retry_task(task_id: str) -> Response:
    """Retry a failed task."""
    return success(task_json(state().service.retry(parse_task_id(task_id))))


@api.get("/license/check")
def license_check() -> Response:
    """The plan and its API access."""
    return success(state().service.plan.to_json())


@api.get("/accounts")
def list_accounts() -> Response:
    """One page of accounts."""
    page, page_size = page_args(request.args)
    accounts, total = state().service.list_accounts(account_filters(request.args), page, page_size)
    return _page("accounts", [account_json(a) for a in accounts], total, page, page_size)


@api.get("/openapi.json")
def openapi() -> Response:
    """The contract as an OpenAPI 3.1 document."""
    from .openapi import document

    return jsonify(document(request.host_url.rstrip("/")))


def _page(name: str, items: list[Any], total: int, page: int, page_size: int) -> Response:
    return success({name: items, "total": total, "page": page, "page_size": page_size})


def parse_create_body() -> CreateRequest:
    """The request's create body, with the registered custom scripts' names allowed.

    A task for a custom script kept from a run that allowed them is refused (40301) by a
    server that does not.
    """
    scripts = state().service.custom_scripts
    body = json_body()
    names = [script.name for script in scripts.list()]
    if isinstance(body, dict) and body.get("script_name") in names:
        scripts.require_enabled()
    return parse_create(body, names)
