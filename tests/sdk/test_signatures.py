"""What ``help()``, ``inspect`` and ``typing.get_type_hints`` say of every public method."""

from __future__ import annotations

import inspect
import pydoc
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import respx

import tikmatrix_sdk
from tikmatrix_sdk import NOT_GIVEN, AsyncTikMatrix, RawResponse, SyncPage, Task, TikMatrix
from tikmatrix_sdk._resource import SyncMode
from tikmatrix_sdk.resources import Accounts, LicenseResource, Tasks

from .conftest import BASE, envelope, task_json

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


def test_annotations_written_as_types_are_read_too(router: respx.MockRouter) -> None:
    from .plain_annotations import Extra

    router.get("/task/1").respond(json=envelope(task_json(1)))
    with TikMatrix(BASE) as client:
        extra: Extra[SyncMode] = Extra(client)
        one = inspect.signature(extra.one)
        assert one.return_annotation is Task
        assert one.parameters["timeout"].default is NOT_GIVEN
        assert inspect.signature(extra.each).return_annotation == Iterator[Task]
        assert extra.one(1, timeout=3).id == 1
        assert [task.id for task in extra.each(extra_headers={"X": "1"})] == [1]
        with pytest.raises(TypeError, match="'bogus'"):
            extra.one(1, bogus=True)  # type: ignore[call-arg]


def test_public_names_load_one_at_a_time() -> None:
    from tikmatrix_sdk import models, scripts
    from tikmatrix_sdk._signatures import _PUBLIC

    single = len(tikmatrix_sdk._LAZY_NAMES)  # UiNode, LeasedDevice, the lease keepers
    assert len(_PUBLIC) == len(list(_PUBLIC)) == len(models.__all__) + len(scripts.__all__) + single
    assert _PUBLIC["UiNode"] is tikmatrix_sdk.UiNode
    assert set(_PUBLIC) <= set(tikmatrix_sdk.__all__)
    assert _PUBLIC["Task"] is Task
    with pytest.raises(KeyError):
        _PUBLIC["Nope"]


def _keywords_of(annotation: Any) -> frozenset[str]:
    from tikmatrix_sdk._signatures import accepted_keywords

    def fn(self: Any, task_id: int, **options: Any) -> None:
        return None

    fn.__annotations__ = {"task_id": int, "options": annotation, "return": None}
    return accepted_keywords(fn)


@pytest.mark.parametrize("spelling", ["typing", "typing_extensions", "text"])
def test_every_spelling_of_unpack_gives_the_options(spelling: str) -> None:
    import typing_extensions

    from tikmatrix_sdk import RequestOptions

    annotation: Any = {
        "typing": typing.Unpack[RequestOptions],
        "typing_extensions": typing_extensions.Unpack[RequestOptions],
        "text": "Unpack[RequestOptions]",
    }[spelling]
    if spelling == "text":
        from tikmatrix_sdk._signatures import accepted_keywords

        namespace: dict[str, Any] = {"Unpack": typing.Unpack, "RequestOptions": RequestOptions}
        exec("def fn(self, task_id: int, **options: 'Unpack[RequestOptions]'): pass", namespace)
        found = accepted_keywords(namespace["fn"])
    else:
        found = _keywords_of(annotation)
    assert {"task_id", "timeout", "extra_headers", "extra_query", "extra_body"} <= found


@pytest.mark.parametrize("annotation", [Any, dict, "Unpack[Missing]", "Unpakc[RequestOptions]"])
def test_a_spelling_it_does_not_handle_fails_loudly(annotation: Any) -> None:
    with pytest.raises(TypeError, match=r"fn"):
        _keywords_of(annotation)
