"""The ``/api/v1`` blueprint: parse at the edge, call the service, wrap the envelope."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState

from tikmatrix_sdk._contract import routes
from tikmatrix_sdk._contract.tasks import (
    account_filters,
    page_args,
    parse_task_id,
    parse_task_ids,
    task_filters,
)

from ..domain.faults import apply_fault
from ..state import state
from .envelope import json_body, success
from .routing import contract_route, flask_path, install_converters
from .task_pages import TaskPages
from .wire import account_json, task_json

__all__ = ["api"]

api = Blueprint("api", __name__, url_prefix="/api/v1")


api.record_once(install_converters)


def _keep_task_pages(setup: BlueprintSetupState) -> None:
    """Give the app the tasks' JSON its pages keep (one store's revisions: one app's)."""
    setup.app.extensions["tikmatrix_task_pages"] = TaskPages()


api.record_once(_keep_task_pages)


def _task_rule_views(setup: BlueprintSetupState) -> None:
    """A view for each route whose answer a contract rule draws from one task (``of_task``).

    Registered as the app takes the blueprint, from the route table as it stands then.
    """
    for route in routes.ROUTES:
        rule = route.of_task
        if rule is not None:

            def view(task_id: str, rule: Callable[[Mapping[str, Any]], Any] = rule) -> Response:
                return success(rule(task_json(state().service.get(parse_task_id(task_id)))))

            setup.add_url_rule(flask_path(route.path), route.name, view, methods=[route.method])


api.record_once(_task_rule_views)


@api.before_request
def _faults_and_plan() -> None:
    apply_fault(state().faults, request.method, request.path)
    if request.endpoint != "api.openapi":
        state().service.check_api_access()


@contract_route(api, "create_task")
def create_task() -> Response:
    """Create tasks."""
    ids = state().service.create(json_body())
    return success({"task_ids": ids, "created_count": len(ids)})


@contract_route(api, "list_tasks")
def list_tasks() -> Response:
    """One page of tasks, newest first."""
    page, page_size = page_args(request.args)
    pages: TaskPages = current_app.extensions["tikmatrix_task_pages"]
    tasks, total = pages.page(state().service, task_filters(request.args), page, page_size)
    return _page("tasks", tasks, total, page, page_size)


@contract_route(api, "task_stats")
def task_stats() -> Response:
    """Counts by status."""
    return success(state().service.stats())


@contract_route(api, "retry_all")
def retry_all() -> Response:
    """Retry every failed task."""
    ids = state().service.retry_all()
    return success({"retried_count": len(ids), "task_ids": ids})


@contract_route(api, "delete_batch")
def delete_batch() -> Response:
    """Delete several tasks."""
    deleted, missing = state().service.delete(parse_task_ids(json_body()))
    return success({"deleted_count": len(deleted), "task_ids": deleted, "not_found_ids": missing})


@contract_route(api, "get_task")
def get_task(task_id: str) -> Response:
    """One task."""
    return success(task_json(state().service.get(parse_task_id(task_id))))


@contract_route(api, "delete_task")
def delete_task(task_id: str) -> Response:
    """Delete one task (stopping it first if it runs)."""
    service = state().service
    task = service.get(parse_task_id(task_id))
    deleted, _ = service.delete([task.id])
    return success({"deleted_count": len(deleted), "task_ids": deleted})


@contract_route(api, "stop_task")
def stop_task(task_id: str) -> Response:
    """Stop a pending or running task."""
    return success(task_json(state().service.stop(parse_task_id(task_id))))


@contract_route(api, "retry_task")
def retry_task(task_id: str) -> Response:
    """Retry a failed task."""
    return success(task_json(state().service.retry(parse_task_id(task_id))))


@contract_route(api, "license_check")
def license_check() -> Response:
    """The plan and its API access."""
    return success(state().service.plan.to_json())


@contract_route(api, "list_accounts")
def list_accounts() -> Response:
    """One page of accounts."""
    page, page_size = page_args(request.args)
    accounts, total = state().service.list_accounts(account_filters(request.args), page, page_size)
    return _page("accounts", [account_json(a) for a in accounts], total, page, page_size)


@contract_route(api, "openapi")
def openapi() -> Response:
    """The contract as an OpenAPI 3.1 document."""
    from .openapi import document

    return jsonify(document(request.host_url.rstrip("/")))


def _page(name: str, items: list[Any], total: int, page: int, page_size: int) -> Response:
    return success({name: items, "total": total, "page": page, "page_size": page_size})
