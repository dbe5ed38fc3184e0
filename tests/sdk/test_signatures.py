"""What ``help()``, ``inspect`` and ``typing.get_type_hints`` say of every public method."""

from __future__ import annotations

import inspect
import pydoc
import typing
from collections.abc import Callable
from typing import Any

import pytest

from tikmatrix_sdk import AsyncTikMatrix, RawResponse, SyncPage, Task, TikMatrix
from tikmatrix_sdk.resources import Accounts, LicenseResource, Tasks

RESOURCES = {"tasks": Tasks, "license": LicenseResource, "accounts": Accounts}


def public_methods(resource_class: type[Any]) -> list[str]:
    return [
        name
        for name, member in vars(resource_class).items()
        if not name.startswith("_") and callable(member)
    ]


@pytest.mark.parametrize("client_class", [TikMatrix, AsyncTikMatrix])
def test_get_type_hints_works_on_every_method_of_every_face(client_class: type[Any]) -> None:
    client = client_class("http://tikmatrix.invalid")
    for attribute, resource_class in RESOURCES.items():
        resource = getattr(client, attribute)
        for name in public_methods(resource_class):
            faces: list[Callable[..., Any]] = [getattr(resource, name)]
            if name != "iter":
                faces.append(getattr(resource.with_raw_response, name))
            for method in faces:
                hints = typing.get_type_hints(method)
                assert "return" in hints, (attribute, name)
                assert not any(isinstance(h, str) for h in hints.values()), (name, hints)
            assert typing.get_type_hints(getattr(resource_class, name))["return"] is not None
    for verb in ("get", "post", "put", "delete"):
        assert "path" in typing.get_type_hints(getattr(client, verb))


def test_the_faces_name_what_the_caller_gets() -> None:
    with TikMatrix("http://tikmatrix.invalid") as client:
        assert typing.get_type_hints(client.tasks.get)["return"] is Task
        raw = typing.get_type_hints(client.tasks.with_raw_response.list)["return"]
        assert raw == RawResponse[SyncPage[Task]]
        assert inspect.signature(Tasks.get).parameters["task_id"].annotation is int


def test_help_of_a_resource_shows_each_signature() -> None:
    text = pydoc.plain(pydoc.render_doc(Tasks))
    assert "get(self, task_id: int, *, extra_headers:" in text
    assert "-> tikmatrix_sdk.Task" in text
    assert "list(self, *, page: int | None = None" in text
    assert "create(self, config: tikmatrix_sdk.ScriptConfig | None = None" in text
