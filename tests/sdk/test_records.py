"""The internal records (the request effects, the endpoint, the options) behave as the frozen
dataclasses they replaced: immutable, compared and shown field by field, copied with
replace()."""

from __future__ import annotations

import pytest

from tikmatrix_sdk._effects import Emit, Now, Send, Sleep
from tikmatrix_sdk._endpoint import Endpoint
from tikmatrix_sdk.models import Task


def test_a_record_is_immutable() -> None:
    send = Send(method="GET", url="http://h/api/v1/task")
    with pytest.raises(AttributeError, match="immutable: cannot set 'url'"):
        send.url = "http://elsewhere"
    with pytest.raises(AttributeError, match="immutable: cannot delete 'url'"):
        del send.url


def test_records_compare_field_by_field_and_only_with_their_own_type() -> None:
    assert Sleep(1.5) == Sleep(1.5)
    assert Sleep(1.5) != Sleep(2.0)
    assert Emit(1.5) != Sleep(1.5)
    assert Now() == Now()
    assert hash(Now()) == hash(Now())
    assert len({Sleep(1.0), Sleep(1.0), Emit("x")}) == 2


def test_replace_copies_with_changes_and_refuses_an_unknown_field() -> None:
    endpoint = Endpoint("GET", "/task/7", Task, params={"a": "1"})
    changed = endpoint.replace(loose=True, headers={"x-session-id": "s"})
    assert (changed.loose, changed.headers, changed.params) == (
        True,
        {"x-session-id": "s"},
        {"a": "1"},
    )
    assert (endpoint.loose, endpoint.headers) == (False, None)
    with pytest.raises(TypeError, match="has no field 'lose'"):
        endpoint.replace(lose=True)


def test_a_record_shows_its_fields() -> None:
    assert repr(Sleep(0.25)) == "Sleep(seconds=0.25)"
    assert repr(Send(method="GET", url="u")).startswith("Send(")
    assert "method='GET'" in repr(Send(method="GET", url="u"))


def test_a_record_holding_a_dict_cannot_be_hashed_as_a_frozen_dataclass_could_not() -> None:
    with pytest.raises(TypeError):
        hash(Send(method="GET", url="u", headers={"a": "b"}))
