"""The one pass (msgspec) reads an answer exactly as the two-step path does, or misses.

The main property: for any answer, generated from each model's fields with the variants a
server may send (numbers as text, date-times in several forms, unknown enum values, left-out
and unknown keys, alias keys, wrong types), whatever the one pass returns equals what the
two-step path makes of the same bytes, field by field and type by type; and the documented
answer never misses.
"""

from __future__ import annotations

import ast
import inspect
import json
import linecache
import textwrap
import types
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Union, get_args, get_origin

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tikmatrix_sdk import TikMatrix, _one_pass
from tikmatrix_sdk._converter import enum_reader, is_api_model, structure
from tikmatrix_sdk._json import loads
from tikmatrix_sdk.errors import NotFoundError, ResponseValidationError
from tikmatrix_sdk.models import Task, TaskPage

from .test_any_answer_reads_alike import DOCUMENTED

MODELS = sorted(
    {
        value
        for module in ("tikmatrix_sdk.models",)
        for value in vars(__import__(module, fromlist=["x"])).values()
        if is_api_model(value) and attrs.has(value)
    },
    key=lambda cls: cls.__name__,
)
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    """Each test starts with nothing learned and leaves the module as it found it."""
    saved_learned, saved_plans = dict(_one_pass._learned), dict(_one_pass._plans)
    _one_pass._learned.clear()
    _one_pass._plans.clear()
    yield
    _one_pass._learned.clear()
    _one_pass._learned.update(saved_learned)
    _one_pass._plans.clear()
    _one_pass._plans.update(saved_plans)


def envelope(data: Any, code: int = 0) -> bytes:
    return json.dumps({"code": code, "message": "success", "data": data}).encode()


def two_step(content: bytes, model: type[Any]) -> Any:
    return structure(loads(content)["data"], model)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down; date-times with the same offset."""
    if type(a) is not type(b):
        return isinstance(a, Mapping) and isinstance(b, Mapping) and _same_mapping(a, b)
    if isinstance(a, datetime):
        return bool(a.isoformat() == b.isoformat())
    if is_api_model(type(a)):
        return _same_mapping(vars(a), vars(b))
    if isinstance(a, Mapping):
        return _same_mapping(a, b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return bool(b != b)
    return bool(a == b) and getattr(a, "name", None) == getattr(b, "name", None)


def _same_mapping(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)


# -- answers generated from a model's fields ----------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
_STAMPS = st.datetimes(timezones=st.timezones()).flatmap(
    lambda moment: st.sampled_from(
        [
            moment.isoformat(),
            moment.isoformat(sep=" "),
            moment.isoformat(timespec="seconds"),
            moment.isoformat().replace("+00:00", "Z"),
        ]
    )
)
_ODD_STAMPS = st.datetimes(timezones=st.one_of(st.none(), st.timezones())).flatmap(
    lambda moment: st.sampled_from(
        [
            moment.isoformat(),  # maybe naive: local time
            moment.isoformat().lower(),  # "t" and "z"
            moment.isoformat(timespec="microseconds").replace(".", ".9", 1),  # 7 digits
            " " + moment.isoformat(),
            "",
        ]
    )
)
_UNKNOWN_KEYS = st.sampled_from(
    ["device_group", "colour", "script_args", "items", "list", "udid", "productName",
     "serial", "id", "session", "sessionId", "extra"]
)  # fmt: skip
_PLAIN: dict[Any, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    int: (
        st.integers(-(2**40), 2**40),
        st.one_of(
            st.integers(0, 99).map(str),
            st.just(3.0),
            st.just(True),
            st.integers(2**63, 2**70),  # beyond 64 bits: orjson makes a float of it
            st.integers(-(2**70), -(2**63) - 1),
        ),
    ),
    str: (st.text(max_size=10), st.integers(0, 9)),
    bool: (st.booleans(), st.sampled_from(["true", "0", 1])),
    float: (st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 9)),
}


def value_of(type_: Any, depth: int = 0, *, odd: bool = False) -> st.SearchStrategy[Any]:
    """A value a server may send for a field of ``type_``: the documented kind, or (``odd``)
    a lenient or wrong one."""
    found = enum_reader(type_)
    if found is not None:
        right: st.SearchStrategy[Any] = st.sampled_from(list(found[0]))
        if not odd:
            unknown = st.integers(4, 40) if isinstance(next(iter(found[0])), int) else st.text()
            return st.one_of(right, right, right, unknown)
        return st.one_of(right.map(lambda v: v.upper() if isinstance(v, str) else str(v)), _SCALARS)
    if type_ == datetime | None:
        return (
            st.one_of(_ODD_STAMPS, st.integers(0, 2**31)) if odd else st.one_of(_STAMPS, st.none())
        )
    if type_ == Mapping[str, Any]:
        return _JSON if odd else st.dictionaries(st.text(max_size=6), _JSON, max_size=3)
    origin, args = get_origin(type_), get_args(type_)
    if origin is tuple:
        items = st.lists(value_of(args[0], depth + 1), max_size=3 if depth else 4)
        if odd:
            return st.one_of(items.map(lambda found: [*found, "7"]), _SCALARS)
        return items
    if is_api_model(type_):
        if depth >= 2:
            return st.just({})
        return _SCALARS if odd else answer_of(type_, depth + 1)
    if origin in (Union, types.UnionType):
        inner = [value_of(arg, depth, odd=odd) for arg in args if arg is not type(None)]
        return st.one_of(*inner) if odd else st.one_of(*inner, st.none())
    right_kind, odd_kind = _PLAIN.get(type_, (_SCALARS, _SCALARS))
    return st.one_of(odd_kind, _SCALARS) if odd else right_kind


def answer_of(model: type[Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """An answer for ``model``: documented values, up to two of them odd, some keys left out,
    some unknown keys added."""
    fields = [f for f in attrs.fields(model) if f.name != "extra"]
    names = [f.name for f in fields]
    values = st.fixed_dictionaries({f.name: value_of(f.type, depth) for f in fields})
    odd = st.fixed_dictionaries({f.name: value_of(f.type, depth, odd=True) for f in fields})
    return st.builds(
        _assemble,
        values,
        odd,
        st.sets(st.sampled_from(names), max_size=2),  # made odd
        st.sets(st.sampled_from(names), max_size=3),  # left out
        st.dictionaries(_UNKNOWN_KEYS, _JSON, max_size=2),
    )


def _assemble(
    values: dict[str, Any],
    odd: dict[str, Any],
    made_odd: set[str],
    left_out: set[str],
    unknown: dict[str, Any],
) -> dict[str, Any]:
    answer = {k: odd[k] if k in made_odd else v for k, v in values.items() if k not in left_out}
    return answer | unknown


_REFUSED = object()


def _not_read(found: Any) -> bool:
    """Whether the one pass left the answer to the two steps (tried and missed, or skipped)."""
    return found is _one_pass.MISS or found is _one_pass.SKIPPED


def read_both(model: type[Any], answer: Any) -> None:
    """Read ``answer`` both ways, learning as the SDK does; they must agree."""
    content = envelope(answer)
    fast = _one_pass.read(content, model)
    try:
        slow = two_step(content, model)
    except Exception:
        slow = _REFUSED
    if slow is _REFUSED:
        assert _not_read(fast), "the one pass read what the two steps refuse"
        return
    if _not_read(fast):
        _one_pass.learn(model, slow)
        plan = _one_pass._plans.get(model)
        if plan is not None:
            plan.skip = 0
        fast = _one_pass.read(content, model)  # what it learned may read it now
    if not _not_read(fast):
        assert same(fast, slow), (fast, slow)


@pytest.mark.parametrize("model", MODELS, ids=lambda cls: cls.__name__)
def test_every_model_reads_alike_both_ways(model: type[Any]) -> None:
    @_SETTINGS
    @given(answers=st.lists(answer_of(model), min_size=1, max_size=4))
    def check(answers: list[dict[str, Any]]) -> None:
        _one_pass._learned.clear()
        _one_pass._plans.clear()
        for answer in answers:
            read_both(model, answer)

    check()


# -- the documented answer takes the one pass ---------------------------------------------


def test_the_documented_task_and_page_take_the_one_pass() -> None:
    page = {"tasks": [DOCUMENTED, DOCUMENTED], "total": 2, "page": 1, "page_size": 20}
    for model, data in ((Task, DOCUMENTED), (TaskPage, page)):
        fast = _one_pass.read(envelope(data), model)
        assert fast is not _one_pass.MISS
        assert same(fast, two_step(envelope(data), model))
    assert isinstance(fast.tasks[0], Task)
    assert fast.tasks[0].extra == {}


@pytest.mark.parametrize("model", MODELS, ids=lambda cls: cls.__name__)
def test_every_model_has_a_one_pass(model: type[Any]) -> None:
    """No model falls back for want of a mirror (a new field type needs its rule here)."""
    assert _one_pass._plan_for(model) is not None


# -- learning unknown keys ------------------------------------------------------------------


def test_an_unknown_key_is_learned_after_one_miss() -> None:
    other = {k: v for k, v in DOCUMENTED.items() if k not in ("source", "remark")}
    other["device_group"] = "farm-a"
    content = envelope(other)
    assert _one_pass.read(content, Task) is _one_pass.MISS
    _one_pass.learn(Task, two_step(content, Task))
    assert _one_pass._learned[Task] == ("device_group",)
    task = _one_pass.read(content, Task)
    assert task is not _one_pass.MISS
    assert task.extra == {"device_group": "farm-a"}
    assert (task.source, task.remark) == (None, "")
    without = _one_pass.read(envelope(DOCUMENTED), Task)
    assert without is not _one_pass.MISS
    assert without.extra == {}


def test_a_nested_models_key_is_learned_from_a_page() -> None:
    page = {"tasks": [DOCUMENTED, DOCUMENTED | {"x": [1]}], "total": 2, "page": 1,
            "page_size": 20, "cursor": "c"}  # fmt: skip
    content = envelope(page)
    assert _one_pass.read(content, TaskPage) is _one_pass.MISS
    _one_pass.learn(TaskPage, two_step(content, TaskPage))
    assert (_one_pass._learned[Task], _one_pass._learned[TaskPage]) == (("x",), ("cursor",))
    fast = _one_pass.read(content, TaskPage)
    assert fast is not _one_pass.MISS
    assert [task.extra for task in fast.tasks] == [{}, {"x": [1]}]
    assert fast.extra == {"cursor": "c"}


def test_an_alias_key_is_never_learned_and_its_answers_keep_the_two_steps() -> None:
    aliased = {k: v for k, v in DOCUMENTED.items() if k != "script_config"}
    aliased["script_args"] = '{"captions": "hi"}'
    both = DOCUMENTED | {"script_args": "{}"}  # the alias does not fire: kept in extra
    for answer in (both, aliased):
        content = envelope(answer)
        assert _not_read(_one_pass.read(content, Task))
        _one_pass.learn(Task, two_step(content, Task))
    assert Task not in _one_pass._learned
    assert two_step(envelope(aliased), Task).script_config == {"captions": "hi"}


def _alias_keys(model: type[Any]) -> set[str]:
    """The text constants in a model's ``_wire_aliases`` that are not its fields."""
    source = textwrap.dedent(inspect.getsource(model._wire_aliases))
    names = {f.name for f in attrs.fields(model)}
    constants = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return {text for text in constants if text.isidentifier() and text not in names}


@pytest.mark.parametrize(
    "model", [m for m in MODELS if hasattr(m, "_wire_aliases")], ids=lambda cls: cls.__name__
)
def test_no_key_an_alias_reads_is_learnable(model: type[Any]) -> None:
    keys = _alias_keys(model)
    assert keys, "the alias reads no key?"
    assert not [key for key in keys if _one_pass._learnable(model, key)]
    assert _one_pass._learnable(model, "device_group")


def test_learning_is_bounded_in_keys_and_length() -> None:
    many = DOCUMENTED | {f"k{n:02}": n for n in range(_one_pass.MAX_LEARNED + 4)}
    many["y" * (_one_pass.MAX_KEY_LENGTH + 1)] = 1
    content = envelope(many)
    _one_pass.learn(Task, two_step(content, Task)) if _one_pass.read(content, Task) else None
    assert len(_one_pass._learned[Task]) == _one_pass.MAX_LEARNED
    assert all(len(key) <= _one_pass.MAX_KEY_LENGTH for key in _one_pass._learned[Task])
    assert _one_pass.read(content, Task) is _one_pass.MISS  # still keys it does not know
    assert two_step(content, Task).extra == {k: v for k, v in many.items() if k not in DOCUMENTED}


def test_a_miss_that_teaches_nothing_skips_the_next_answers() -> None:
    lenient = envelope(DOCUMENTED | {"status": "2"})
    documented = envelope(DOCUMENTED)
    assert _one_pass.read(lenient, Task) is _one_pass.MISS
    _one_pass.learn(Task, two_step(lenient, Task))
    skipped = [_one_pass.read(documented, Task) for _ in range(_one_pass.SKIP_AFTER_MISS)]
    assert all(found is _one_pass.SKIPPED for found in skipped)
    assert isinstance(_one_pass.read(documented, Task), Task)


def test_a_client_tries_the_one_pass_again_after_the_answers_it_skipped() -> None:
    lenient = envelope(DOCUMENTED | {"status": "2"})  # always a miss, teaching nothing
    skips = []
    with _client({"/api/v1/task/7": (200, lenient)}) as client:
        for _ in range(_one_pass.SKIP_AFTER_MISS + 2):
            assert client.tasks.get(7).status == 2
            plan = _one_pass._plans[Task]
            assert plan is not None
            skips.append(plan.skip)
    countdown = list(range(_one_pass.SKIP_AFTER_MISS, -1, -1))
    assert skips == [*countdown, _one_pass.SKIP_AFTER_MISS]  # tried again, missed again


def test_a_servers_key_never_enters_the_generated_source() -> None:
    key = "x'); import os  #"
    content = envelope(DOCUMENTED | {key: 1})
    _one_pass.read(content, Task)
    _one_pass.learn(Task, two_step(content, Task))
    assert _one_pass.read(content, Task).extra == {key: 1}
    generated = [name for name in linecache.cache if "one-pass" in name]
    assert generated
    assert not [name for name in generated if "import os" in "".join(linecache.getlines(name))]


# -- through a client ------------------------------------------------------------------------


def _client(answers: dict[str, tuple[int, bytes]]) -> TikMatrix:
    def handler(request: httpx.Request) -> httpx.Response:
        status, body = answers[request.url.path]
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    transport = httpx.MockTransport(handler)
    return TikMatrix("http://sdk.invalid", http_client=httpx.Client(transport=transport))


def test_a_client_reads_errors_and_bad_answers_as_before() -> None:
    not_found = envelope(None, code=40401)
    bad = envelope(DOCUMENTED | {"id": "seven"})
    answers = {
        "/api/v1/task/1": (404, not_found),
        "/api/v1/task/2": (200, bad),
        "/api/v1/task/3": (200, envelope(DOCUMENTED)),
        "/api/v1/task/4": (200, envelope(DOCUMENTED, code=40401)),
    }
    with _client(answers) as client:
        for task_id in (1, 4):  # an error envelope with an HTTP error status, or with 200
            with pytest.raises(NotFoundError):
                client.tasks.get(task_id)
        with pytest.raises(ResponseValidationError, match="seven"):
            client.tasks.get(2)
        assert same(client.tasks.get(3), two_step(envelope(DOCUMENTED), Task))


def test_without_msgspec_every_answer_takes_the_two_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_one_pass, "msgspec", None)
    assert _one_pass.read(envelope(DOCUMENTED), Task) is _one_pass.SKIPPED
    assert _one_pass._plans[Task] is None
    with _client({"/api/v1/task/3": (200, envelope(DOCUMENTED | {"colour": "red"}))}) as client:
        task = client.tasks.get(3)
    assert task.extra == {"colour": "red"}
    assert Task not in _one_pass._learned
