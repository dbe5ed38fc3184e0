"""Differential test: the mock and a real reference server answer every request alike.

One generated sequence of requests (valid and invalid, on every operation of the contract's
route table, built from the contract's own bounds, enums and script options) is sent to a
fresh :class:`~tikmatrix_sdk.testing.MockTikMatrix` and to a reference server serving on a
loopback port, reset to the same devices, accounts and plan. Each answer must have the same
HTTP status, the same contract code, the same ``Allow`` header, and the same answer once the
values that are each side's own (ids, times, lease ids) are replaced by their type.

Every envelope either side answers is also validated against the OpenAPI document.

Requests that name a task or a lease do so symbolically ("the second task created"), resolved
on each side to that side's id. The server's scheduler is off, as the mock's tasks wait for
the test too. Device calls (``jsonrpc``, ``hierarchy``, ``screenshot``) are compared by status
and code only: what a device answers is the device's, not the contract's.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_server import ServerConfig
from reference_server.testing import ControlClient, running_server
from tikmatrix_sdk._contract import limits
from tikmatrix_sdk._contract.lifecycle import STATUSES
from tikmatrix_sdk._contract.plans import PLANS
from tikmatrix_sdk._contract.routes import ROUTES, Route
from tikmatrix_sdk._contract.scripts import NOT_VIA_API, SCRIPT_RULES
from tikmatrix_sdk._shared.tls import tls_context
from tikmatrix_sdk.testing import MockTikMatrix

from .contract_strategies import option_values
from .openapi_check import check_answer

_DEVICE_CALLS = {"jsonrpc", "hierarchy", "screenshot"}
#: Values that are each side's own: compared by type only.
_OWN = {
    "id",
    "task_ids",
    "not_found_ids",
    "session_id",
    "created_at",
    "scheduled_at",
    "started_at",
    "finished_at",
    "expires_at",
    "expires_in",
}


@attrs.frozen
class Ref:
    """The ``index``-th task (or lease) created so far, on whichever side resolves it."""

    kind: str
    index: int


@attrs.frozen
class Step:
    """One request, with symbolic references."""

    route: str
    method: str
    path: tuple[Any, ...]  # text and Refs, joined after resolving
    query: Mapping[str, str] = attrs.field(factory=dict)
    body: Any = None
    session: Any = None  # a Ref, a literal x-session-id, or None


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, ControlClient]]:
    with tempfile.TemporaryDirectory(prefix="tikmatrix-diff-") as directory:
        config = ServerConfig(db=Path(directory) / "tasks.sqlite3", run_scheduler=False)
        with running_server(config) as url, ControlClient(url) as control:
            yield url, control


# -- generating requests from the contract -----------------------------------------------------

_JUNK: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.just(""), st.just({}), st.just([])
)
_TEXT = st.one_of(st.sampled_from(["", " ", "x", "a,b", "a\nb"]), st.text(max_size=6))


def _config(name: str) -> st.SearchStrategy[Any]:
    options = SCRIPT_RULES[name].options if name in SCRIPT_RULES else {}
    return st.one_of(
        st.fixed_dictionaries(
            {}, optional={key: option_values(option) for key, option in options.items()}
        ),
        _JUNK,
    )


def _bound(high: int) -> st.SearchStrategy[Any]:
    """Integers at and around ``0..high``, and values of other kinds."""
    return st.one_of(st.sampled_from([-1, 0, 1, high, high + 1]), _JUNK, st.just("5"))


@st.composite
def _create_body(draw: st.DrawFn, serials: list[str], usernames: list[str]) -> Any:
    name = draw(
        st.one_of(
            st.sampled_from(sorted(SCRIPT_RULES)),
            st.sampled_from(sorted(NOT_VIA_API)),
            st.sampled_from(["", "nope"]),
            _JUNK,
        )
    )
    names = st.lists(st.one_of(st.sampled_from(serials), _TEXT, _JUNK), max_size=3)
    users = st.lists(st.one_of(st.sampled_from(usernames), _TEXT, _JUNK), max_size=3)
    body = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "script_config": _config(name if isinstance(name, str) else ""),
                "serials": st.one_of(names, _JUNK),
                "usernames": st.one_of(users, _JUNK),
                "enable_multi_account": st.one_of(st.booleans(), _JUNK),
                "start_time": st.one_of(
                    st.sampled_from(["00:00", "23:59", "24:00", "25:00", "9:00", "12:60"]), _JUNK
                ),
                "min_interval": _bound(limits.MAX_INTERVAL_MINUTES),
                "max_interval": _bound(limits.MAX_INTERVAL_MINUTES),
            },
        )
    )
    if draw(st.integers(0, 4)):
        body["script_name"] = name
    return body if draw(st.integers(0, 9)) else draw(_JUNK)


@st.composite
def _valid_create_body(draw: st.DrawFn, serials: list[str], usernames: list[str]) -> Any:
    """A body both sides accept (unless the plan refuses it): tasks to act on."""
    name = draw(st.sampled_from(["follow", "unfollow", "post"]))
    config = {"target_users": draw(st.lists(st.sampled_from(["a", "b"]), min_size=1))}
    body: dict[str, Any] = {"script_name": name, "script_config": config}
    if draw(st.booleans()):
        body["serials"] = draw(st.lists(st.sampled_from(serials), min_size=1, max_size=3))
        body["enable_multi_account"] = draw(st.booleans())
    else:
        body["usernames"] = draw(st.lists(st.sampled_from(usernames), min_size=1, max_size=3))
    return body


_TASK = st.one_of(
    st.builds(Ref, st.just("task"), st.integers(0, 4)),
    st.sampled_from(["abc", "0", "-1", "1e3", "٣", str(limits.MAX_TASK_ID + 1), "999999"]),
)
_LEASE = st.one_of(
    st.builds(Ref, st.just("lease"), st.integers(0, 2)), st.sampled_from(["nope", "x" * 200])
)


def _query(names: Mapping[str, st.SearchStrategy[str]]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional=dict(names))


def _number_text(high: int) -> st.SearchStrategy[str]:
    return st.sampled_from(["-1", "0", "1", "2", str(high), str(high + 1), "x", "", "1.5"])


@st.composite
def _step(draw: st.DrawFn, serials: list[str], usernames: list[str]) -> Step:
    routes = [r for r in ROUTES if r.name != "openapi"]
    creates = [r for r in routes if r.name in ("create_task", "lease")]
    route: Route = draw(st.sampled_from(routes) | st.sampled_from(creates))
    method = route.method if draw(st.integers(0, 9)) else draw(st.sampled_from(["GET", "PUT"]))
    path: list[Any] = []
    for part in route.path.replace("}", "{").split("{"):
        if part == "task_id":
            path.append(draw(_TASK))
        elif part == "session_id":
            path.append(draw(_LEASE))
        else:
            path.append(part)
    paging = {
        "page": _number_text(limits.MAX_PAGE),
        "page_size": _number_text(limits.MAX_PAGE_SIZE),
    }
    query: dict[str, str] = {}
    body: Any = None
    if route.name == "list_tasks":
        query = draw(
            _query(
                {
                    **paging,
                    "status": _number_text(STATUSES[-1]),
                    "serial": st.sampled_from(["", *serials[:2], "nope"]),
                    "script_name": st.sampled_from(["", "follow", "post", "nope"]),
                    "source": st.sampled_from(["", "api", "ui", "web"]),
                }
            )
        )
    elif route.name == "list_accounts":
        query = draw(
            _query(
                {
                    **paging,
                    "platform": st.sampled_from(["tiktok", "instagram", ""]),
                    "device": st.sampled_from(["", *serials[:2]]),
                    "logined": st.sampled_from(["true", "0", "FALSE", "maybe"]),
                    "status": _number_text(limits.MAX_ACCOUNT_STATUS),
                    "tag": st.sampled_from(["default", "mine", ""]),
                }
            )
        )
    elif route.name in ("hierarchy", "screenshot"):
        query = draw(_query({"serial": st.sampled_from(["", *serials[:2], "x" * 201])}))
    elif route.name == "create_task":
        body = draw(
            st.one_of(_create_body(serials, usernames), _valid_create_body(serials, usernames))
        )
    elif route.name == "delete_batch":
        body = draw(
            st.one_of(
                st.fixed_dictionaries({"task_ids": st.lists(st.one_of(_TASK, _JUNK), max_size=3)}),
                _JUNK,
            )
        )
    elif route.name == "lease":
        valid = {"serial": st.sampled_from(serials), "ttl_secs": st.sampled_from([1, 60, 600])}
        body = draw(
            st.fixed_dictionaries(valid)
            | st.fixed_dictionaries(
                {},
                optional={
                    "serial": st.one_of(st.sampled_from(serials), _TEXT, _JUNK),
                    "label": st.one_of(_TEXT, st.just("l" * (limits.MAX_LABEL + 1)), _JUNK),
                    "ttl_secs": _bound(int(limits.MAX_TTL)),
                    "other": st.just(1),
                },
            )
        )
    elif route.name == "heartbeat":
        body = draw(st.one_of(st.none(), st.fixed_dictionaries({"ttl_secs": _bound(600)})))
    elif route.name == "jsonrpc":
        body = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "method": st.sampled_from(["deviceInfo", "", "1x", "a-b", 5]),
                    "params": st.one_of(st.lists(st.integers(), max_size=2), _JUNK),
                    "timeout": st.sampled_from([0.05, 0.1, 10, 120, 121, "x"]),
                    "serial": st.one_of(st.sampled_from(serials[:2]), _JUNK),
                },
            )
        )
    elif route.name == "adb":
        body = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "args": st.one_of(
                        st.lists(st.sampled_from(["shell", "echo", "", "ls"]), max_size=3),
                        _JUNK,
                    ),
                    "timeout_ms": _bound(limits.MAX_ADB_TIMEOUT_MS),
                    "serial": st.one_of(st.sampled_from(serials[:2]), _JUNK),
                },
            )
        )
    session = draw(st.one_of(st.none(), _LEASE)) if route.path.startswith("/rpc") else None
    return Step(route.name, method, tuple(path), query, body, session)


# -- sending, on each side -------------------------------------------------------------------


@attrs.define
class _Side:
    """One side's client, and the ids it created, for resolving references."""

    client: httpx.Client
    tasks: list[int] = attrs.field(factory=list)
    leases: list[str] = attrs.field(factory=list)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Ref):
            made: list[Any] = self.tasks if value.kind == "task" else self.leases
            return made[value.index % len(made)] if made else "1"
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def send(self, step: Step) -> httpx.Response:
        path = "".join(str(self.resolve(part)) for part in step.path)
        headers = {}
        if step.session is not None:
            headers["x-session-id"] = str(self.resolve(step.session))
        kwargs: dict[str, Any] = {"params": step.query, "headers": headers}
        if step.body is not None:
            kwargs["json"] = self.resolve(step.body)
        response = self.client.request(step.method, f"/api/v1{path}", **kwargs)
        is_json = response.headers.get("content-type", "").startswith("application/json")
        if is_json:  # every envelope, the mock's too, as the OpenAPI document describes it
            check_answer(step.method, f"/api/v1{path}", response.status_code, response.json())
        if response.status_code == 200 and is_json:
            data = response.json()["data"]
            if isinstance(data, dict) and "created_count" in data:
                self.tasks += data["task_ids"]
            if isinstance(data, dict) and data.get("session_id") and step.route == "lease":
                self.leases.append(data["session_id"])
        return response


def _normal(value: Any, key: str = "") -> Any:
    """An answer with each side's own values replaced by their type."""
    if key in _OWN:
        return type(value).__name__ if not isinstance(value, list) else ["int"] * len(value)
    if isinstance(value, dict):
        return {name: _normal(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def _summary(step: Step, response: httpx.Response, route_name: str) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "status": response.status_code,
        "allow": response.headers.get("allow"),
    }
    if response.headers.get("content-type", "").startswith("application/json"):
        payload = response.json()
        summary["code"] = payload["code"]
        if payload["code"] == 0 and route_name not in _DEVICE_CALLS:
            summary["data"] = _normal(payload["data"])
    return summary


def _accounts(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        data = client.get("/api/v1/accounts", params={"page": page, "page_size": 100}).json()
        found += data["data"]["accounts"]
        if len(found) >= data["data"]["total"]:
            return found
        page += 1


def _order(route: Route) -> int:
    """Creates first, then reads, then changes, then deletes: each example then succeeds."""
    makes = route.method == "POST" and "{" not in route.path and route.body is not None
    changes = route.method == "POST" and not makes
    return 0 if makes else 1 if route.method == "GET" else 2 if changes else 3


def _every_operation_once() -> list[Step]:
    """Each operation's example from the route table, in an order in which each succeeds.

    Its task and lease ids are the first created (its ``task_ids`` count from 1); a device
    call presents the first lease. (The adb route is off by default: its example is 40303.)
    """
    steps = []
    for route in sorted((r for r in ROUTES if r.name != "openapi"), key=_order):
        path = tuple(
            Ref("task", 0) if part == "task_id" else Ref("lease", 0) if part == "session_id"
            else part
            for part in route.path.replace("}", "{").split("{")
            if part
        )  # fmt: skip
        body = dict(route.example.get("body", {})) or None
        if body is not None and "task_ids" in body:
            body["task_ids"] = [Ref("task", number - 1) for number in body["task_ids"]]
        header = any(param["name"] == "x-session-id" for param in route.params)
        steps.append(
            Step(
                route.name,
                route.method,
                path,
                query=dict(route.example.get("query", {})),
                body=body,
                session=Ref("lease", 0) if header else None,
            )
        )
    return steps


_EXAMPLES = int(os.environ.get("TIKMATRIX_FUZZ_EXAMPLES", "15")) * 4


@attrs.frozen
class _World:
    """The server under test and what it was reset to."""

    url: str
    control: ControlClient
    serials: list[str]
    accounts: list[dict[str, Any]]

    @property
    def usernames(self) -> list[str]:
        return [account["username"] for account in self.accounts]

    def compare(self, plan: str, steps: list[Step]) -> list[dict[str, Any]]:
        """Send ``steps`` to a fresh mock and the reset server; the server's answers."""
        self.control.reset(plan=plan)
        mock = MockTikMatrix(devices=self.serials, accounts=self.accounts, plan=plan)
        real_answers = []
        # Two clients an example: they share the SDK's TLS context, which httpx would
        # otherwise build for each (reading the CA bundle, 40 ms) though neither uses TLS.
        tls = tls_context()
        with (
            mock,
            httpx.Client(base_url="http://localhost:50809", verify=tls) as mocked,
            httpx.Client(base_url=self.url, verify=tls) as real,
        ):
            sides = (_Side(mocked), _Side(real))
            for number, step in enumerate(steps):
                answers = [_summary(step, side.send(step), step.route) for side in sides]
                assert answers[0] == answers[1], (number, step, answers)
                real_answers.append(answers[1])
        return real_answers


@pytest.fixture
def world(server: tuple[str, ControlClient]) -> Iterator[_World]:
    url, control = server
    control.reset()
    with httpx.Client(base_url=url) as probe:
        serials = [d["serial"] for d in probe.get("/api/v1/rpc/devices").json()["data"]]
        accounts = _accounts(probe)
    yield _World(url, control, serials, accounts)
    control.reset()


def test_every_operation_succeeds_alike(world: _World) -> None:
    steps = _every_operation_once()
    statuses = [answer["status"] for answer in world.compare("Pro", steps)]
    adb = [step.route for step in steps].index("adb")
    assert statuses == [403 if number == adb else 200 for number in range(len(steps))]
    assert {step.route for step in steps} == {r.name for r in ROUTES} - {"openapi"}


def test_the_mock_and_the_server_answer_alike(world: _World) -> None:
    @settings(
        max_examples=_EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        plan=st.sampled_from([*sorted(PLANS), "Pro", "Pro"]),
        steps=st.lists(_step(world.serials, world.usernames), min_size=1, max_size=12),
    )
    def check(plan: str, steps: list[Step]) -> None:
        world.compare(plan, steps)

    check()
