"""The fleet's parts that need no server: host lists, fleet ids, routing, the error group."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tikmatrix_sdk import ClientValidationError, NotFoundError, TikMatrixError
from tikmatrix_sdk.fleet import (
    HOSTS_ENV,
    MAX_HOSTS,
    Fleet,
    FleetError,
    FleetTaskId,
    Host,
    Ownership,
    OwnershipConflictError,
    hosts_from_env,
    hosts_from_file,
)
from tikmatrix_sdk.fleet._ownership import route


def test_hosts_from_a_mapping_keep_their_order_and_settings() -> None:
    with Fleet({"pc-2": "http://10.0.0.6:50809/api/v1", "pc-1": "http://10.0.0.5:50809"}) as fleet:
        assert fleet.hosts == ("pc-2", "pc-1")
        assert fleet.client("pc-2").base_url == "http://10.0.0.6:50809"
        with pytest.raises(ClientValidationError, match="no host 'pc-3'"):
            fleet.client("pc-3")


def test_host_objects_carry_their_own_client_settings() -> None:
    slow = Host(name="slow", url="http://10.0.0.9:50809", timeout=90, max_retries=5)
    with Fleet([slow, "http://10.0.0.7:50809"]) as fleet:
        assert fleet.hosts == ("slow", "host2")
        assert fleet.client("slow").timeout.read == 90
        assert fleet.client("slow").max_retries == 5


@pytest.mark.parametrize(
    ("hosts", "says"),
    [
        ({}, "at least one host"),
        ({"pc:1": "http://a"}, "no ':'"),
        ({"pc-1": "ftp://a"}, "http:// or https://"),
        ([Host(name="a", url="http://x"), Host(name="a", url="http://y")], "must differ: a"),
        ("http://a", "not one string"),
        ({f"h{n}": "http://a" for n in range(MAX_HOSTS + 1)}, f"at most {MAX_HOSTS}"),
    ],
)
def test_bad_host_lists_are_refused_naming_the_mistake(hosts: object, says: str) -> None:
    with pytest.raises(ClientValidationError, match=says) as caught:
        Fleet(hosts)  # type: ignore[call-overload]
    assert caught.value.field in ("hosts", "base_url")


def test_the_variable_lists_named_and_bare_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOSTS_ENV, " pc-1=http://10.0.0.5:50809 , http://10.0.0.6:50809,")
    hosts = hosts_from_env()
    assert [(h.name, h.url) for h in hosts] == [
        ("pc-1", "http://10.0.0.5:50809"),
        ("host2", "http://10.0.0.6:50809"),
    ]
    with Fleet() as fleet:
        assert fleet.hosts == ("pc-1", "host2")
    monkeypatch.delenv(HOSTS_ENV)
    with pytest.raises(ClientValidationError, match=f"{HOSTS_ENV} is not set"):
        Fleet()


def test_a_toml_file_lists_hosts_with_their_settings(tmp_path: Path) -> None:
    path = tmp_path / "hosts.toml"
    path.write_text(
        '[hosts.pc-1]\nurl = "http://10.0.0.5:50809"\ntimeout = 10\n\n'
        '[hosts.pc-2]\nurl = "http://10.0.0.6:50809"\nmax_retries = 0\n'
        'headers = { X-Team = "ops" }\n',
        encoding="utf-8",
    )
    one, two = hosts_from_file(path)
    assert (one.name, one.timeout, two.max_retries, dict(two.headers)) == (
        "pc-1",
        10.0,
        0,
        {"X-Team": "ops"},
    )
    with Fleet.from_file(path) as fleet:
        assert fleet.client("pc-1").timeout.read == 10


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("hosts = 1", "no \\[hosts.NAME\\] tables"),
        ("[hosts.a]\ntimeout = 3", "needs url"),
        ('[hosts.a]\nurl = "http://x"\nport = 1', "unknown key\\(s\\) port"),
        ('[hosts.a]\nurl = "http://x"\ntimeout = 0', "timeout is a positive number"),
        ('[hosts.a]\nurl = "http://x"\nmax_retries = true', "max_retries is 0 to 100"),
        ('[hosts.a]\nurl = "http://x"\nheaders = { a = 1 }', "headers is a table of strings"),
        ("[hosts.a\n", "not TOML"),
    ],
)
def test_a_bad_hosts_file_is_refused_naming_the_table(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "hosts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClientValidationError, match=says):
        hosts_from_file(path)


def test_a_fleet_task_id_prints_and_parses_back() -> None:
    task_id = FleetTaskId("pc-2", 1041)
    assert str(task_id) == "pc-2:1041"
    assert FleetTaskId.parse("pc-2:1041") == task_id
    assert FleetTaskId.parse(task_id) is task_id
    assert sorted([FleetTaskId("b", 1), FleetTaskId("a", 9), FleetTaskId("a", 2)]) == [
        FleetTaskId("a", 2),
        FleetTaskId("a", 9),
        FleetTaskId("b", 1),
    ]
    for bad in ("pc-2", "pc-2:", ":5", "pc-2:0", "pc-2:x", "a:b:1", 5, None):
        with pytest.raises(ClientValidationError, match="HOST:ID"):
            FleetTaskId.parse(bad)  # type: ignore[arg-type]


def test_a_create_names_devices_or_accounts_before_anything_is_sent() -> None:
    from tikmatrix_sdk import FollowConfig

    with Fleet({"pc-1": "http://127.0.0.1:9"}) as fleet:
        config = FollowConfig(target_users=["@a"])
        with pytest.raises(ClientValidationError, match="serials is empty"):
            fleet.tasks.create(config, serials=[])
        with pytest.raises(ClientValidationError, match="not one string"):
            fleet.tasks.create(config, usernames="@me")  # type: ignore[arg-type]
        with pytest.raises(ClientValidationError, match="exactly one of"):
            fleet.tasks.create(config)


def test_a_task_id_of_another_fleet_is_refused_before_sending() -> None:
    with (
        Fleet({"pc-1": "http://127.0.0.1:9"}) as fleet,
        pytest.raises(ClientValidationError, match="host 'pc-9', which is not in this fleet"),
    ):
        fleet.tasks.get("pc-9:1")


def test_routing_splits_names_by_owner_in_fleet_order() -> None:
    owned = Ownership(serials={"s1": ("b",), "s2": ("a",), "s3": ("b",)})
    assert route(owned, "serials", ["s1", "s2", "s3"], ("a", "b")) == {
        "a": ["s2"],
        "b": ["s1", "s3"],
    }


def _not_found() -> NotFoundError:
    answer = httpx.Response(404, request=httpx.Request("GET", "http://pc/api/v1/task/9"))
    return NotFoundError("no task", code=40401, response=answer)


def test_routing_refuses_unknown_names_and_says_which_hosts_did_not_answer() -> None:
    down = TikMatrixError("connection refused")
    owned = Ownership(serials={"s1": ("a",)}, silent={"b": down})
    with pytest.raises(ClientValidationError, match="no host has the device\\(s\\) s9") as caught:
        route(owned, "serials", ["s1", "s9"], ("a", "b"))
    assert "these hosts did not answer: b" in str(caught.value)
    assert caught.value.field == "serials"


def test_a_name_on_two_hosts_is_an_error_naming_both() -> None:
    owned = Ownership(accounts={"@me": ("a", "c")})
    with pytest.raises(OwnershipConflictError, match="@me on a and c") as caught:
        route(owned, "usernames", ["@me"], ("a", "b", "c"))
    assert caught.value.owners == {"@me": ("a", "c")}
    assert isinstance(caught.value, ClientValidationError)


def test_a_fleet_error_groups_each_hosts_error_and_splits_by_kind() -> None:
    missing = _not_found()
    other = TikMatrixError("boom")
    group = FleetError("2 host(s) failed", {"a": missing, "b": other})
    assert group.by_host == {"a": missing, "b": other}
    assert isinstance(group, ExceptionGroup)
    assert isinstance(group, TikMatrixError)
    matched, rest = group.split(NotFoundError)
    assert isinstance(matched, FleetError)
    assert matched.by_host == {"a": missing}
    assert isinstance(rest, FleetError)
    assert rest.by_host == {"b": other}
    picked: list[BaseException] = []
    try:
        raise group
    except* NotFoundError as found:
        picked.extend(found.exceptions)
    except* TikMatrixError:
        pass
    assert picked == [missing]
