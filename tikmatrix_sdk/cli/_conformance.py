"""``tikmatrix conformance``: replay a cassette against the reference server and compare.

The reference server is started for the run and seeded with what the cassette names (its
devices and accounts, its plan). Each request is sent again, in order, with the ids the
recording got (tasks, leases) replaced by the ones the reference server gave; each answer is
compared by shape, not by value: the HTTP status, the envelope's code, and for JSON the
fields and their kinds. Ids, times, counts and texts legitimately differ; a field that is
``null`` on one side only (a task not started yet) is not a difference either.

A cassette is data, and may come from anyone: only requests to the API (``/api/v1/...``) are
replayed. Anything else it holds (the control API: a reset, a custom script's registration,
a fault) is not sent, and :func:`refused` says which; the server is started with custom
scripts off besides, so no cassette can make it run a command.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx

from .._shared.install import install_hint
from .._shared.process_tree import CREATION_FLAGS, NEW_SESSION, end_tree
from ._cassette import decode_body

__all__ = ["Difference", "reference_server", "refused", "replay", "shape_differences"]

#: The only requests a cassette may have replayed: the API's.
REPLAYED_PREFIX = "/api/v1/"


def refused(cassette: dict[str, Any]) -> list[str]:
    """The exchanges of ``cassette`` that are not replayed (``#3 PUT /_control/...``)."""
    return [
        f"#{index} {interaction['request']['method']} {interaction['request']['path']}"
        for index, interaction in enumerate(cassette["interactions"], start=1)
        if not _replayable(interaction)
    ]


def _replayable(interaction: dict[str, Any]) -> bool:
    """An API request, with no dot segment (escaped or not) that could leave ``/api/v1/``."""
    path = urllib.parse.unquote(str(interaction["request"]["path"]))
    segments = path.split("/")
    return (
        path.startswith(REPLAYED_PREFIX)
        and not any(segment in (".", "..") for segment in segments)
        and "\\" not in path
    )


@attrs.frozen
class Difference:
    """One way an answer of the reference server differs from the recording."""

    index: int
    request: str
    where: str
    recorded: str
    replayed: str

    def __str__(self) -> str:
        return (
            f"#{self.index} {self.request}: {self.where}: {self.recorded} in the recording, "
            f"{self.replayed} from the reference server"
        )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_differences(
    recorded: Any, replayed: Any, where: str = "$"
) -> Iterator[tuple[str, str, str]]:
    """Where two JSON values differ in shape: (path, recorded kind, replayed kind)."""
    kinds = _kind(recorded), _kind(replayed)
    if "null" in kinds:
        return
    if kinds[0] != kinds[1]:
        yield where, kinds[0], kinds[1]
        return
    if isinstance(recorded, dict):
        for key in sorted(recorded.keys() - replayed.keys()):
            yield f"{where}.{key}", _kind(recorded[key]), "missing"
        for key in sorted(replayed.keys() - recorded.keys()):
            yield f"{where}.{key}", "missing", _kind(replayed[key])
        for key in sorted(recorded.keys() & replayed.keys()):
            yield from shape_differences(recorded[key], replayed[key], f"{where}.{key}")
    elif isinstance(recorded, list) and recorded and replayed:
        yield from shape_differences(recorded[0], replayed[0], f"{where}[0]")


@contextlib.contextmanager
def reference_server(seconds: float = 60) -> Iterator[str]:
    """Start ``tikmatrix-server`` on a free loopback port; yield its URL; stop it.

    It runs as a process of its own, its store in memory. :class:`RuntimeError` if it is
    not installed or does not come up.
    """
    name = "tikmatrix-server"
    beside = Path(sys.executable).parent / (name + (".exe" if sys.platform == "win32" else ""))
    program = str(beside) if beside.exists() else shutil.which(name)
    if program is None:
        raise RuntimeError(f"the reference server is not installed: {install_hint('server')}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [program, "--port", str(port), "--db", ":memory:"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        creationflags=CREATION_FLAGS,  # its own group: stopped as Ctrl+C (Ctrl+Break) would
        start_new_session=NEW_SESSION,
    )
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                httpx.get(f"{url}/api/v1/openapi.json", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the reference server did not start on {url}") from None
                time.sleep(0.1)
        yield url
    finally:
        end_tree(process, grace=20)


class _Ids:
    """The recording's ids and the reference server's, as they are learnt."""

    def __init__(self) -> None:
        self.tasks: dict[int, int] = {}
        self.sessions: dict[str, str] = {}

    def learn(self, label: str, recorded: Any, replayed: Any) -> None:
        """Pair the ids a creation (of tasks, of a lease) gave; a pair once made stays."""
        if not (isinstance(recorded, dict) and isinstance(replayed, dict)):
            return
        if label == "POST /api/v1/task":
            old, new = recorded.get("task_ids"), replayed.get("task_ids")
            if isinstance(old, list) and isinstance(new, list):
                for was, now in zip(old, new, strict=False):
                    self.tasks.setdefault(was, now)
        elif label == "POST /api/v1/rpc/session":
            old_id, new_id = recorded.get("session_id"), replayed.get("session_id")
            if isinstance(old_id, str) and isinstance(new_id, str):
                self.sessions.setdefault(old_id, new_id)

    def path(self, path: str) -> str:
        parts = path.split("/")
        for index, part in enumerate(parts):
            if part.isdigit() and int(part) in self.tasks and index and parts[index - 1] == "task":
                parts[index] = str(self.tasks[int(part)])
            elif part in self.sessions:
                parts[index] = self.sessions[part]
        return "/".join(parts)

    def body(self, body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("task_ids"), list):
            return {**body, "task_ids": [self.tasks.get(i, i) for i in body["task_ids"]]}
        return body


def _seed(interactions: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]], str | None]:
    """The devices, accounts and plan a cassette names."""
    serials: dict[str, None] = {}
    accounts: dict[str, dict[str, Any]] = {}
    plan = None
    for interaction in interactions:
        request, response = interaction["request"], interaction["response"]
        body = (request.get("body") or {}).get("json")
        answer = (response.get("body") or {}).get("json")
        if isinstance(body, dict):
            for serial in body.get("serials") or []:
                serials[str(serial)] = None
            if isinstance(body.get("serial"), str):
                serials[body["serial"]] = None
        for name in ("serial", "device"):
            if request.get("query", {}).get(name):
                serials[request["query"][name]] = None
        data = answer.get("data") if isinstance(answer, dict) else None
        if request["path"].endswith("/license/check") and isinstance(data, dict):
            plan = data.get("plan_name") or plan
        if isinstance(data, dict) and isinstance(data.get("accounts"), list):
            for account in data["accounts"]:
                if isinstance(account, dict) and account.get("username") and account.get("device"):
                    accounts[account["username"]] = {
                        "username": account["username"],
                        "device": account["device"],
                        "platform": account.get("platform"),
                    }
                    serials[account["device"]] = None
        if isinstance(data, list):
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("serial"), str):
                    serials[item["serial"]] = None
        if isinstance(body, dict):
            for username in body.get("usernames") or []:
                if username not in accounts:
                    device = next(iter(serials), "device_serial_1")
                    accounts[username] = {"username": username, "device": device}
                    serials[device] = None
    return list(serials), list(accounts.values()), plan


def _answer_json(response: httpx.Response | dict[str, Any]) -> Any:
    if isinstance(response, httpx.Response):
        if "json" not in response.headers.get("content-type", ""):
            return None
        try:
            return response.json()
        except ValueError:
            return None
    body = response.get("body") or {}
    return body.get("json")


def replay(cassette: dict[str, Any], base_url: str) -> list[Difference]:
    """Send every request of ``cassette`` to the server at ``base_url``; the differences."""
    interactions: list[dict[str, Any]] = cassette["interactions"]
    differences: list[Difference] = []
    ids = _Ids()
    with httpx.Client(base_url=base_url, timeout=60) as http:
        serials, accounts, plan = _seed(interactions)
        given = [{k: v for k, v in a.items() if v is not None} for a in accounts]
        for method, path, body in (
            ("POST", "/_control/reset", {"devices": 0}),
            ("POST", "/_control/devices", {"serials": serials} if serials else None),
            ("POST", "/_control/accounts", {"accounts": given} if given else None),
            ("PUT", "/_control/plan", {"plan": plan} if plan else None),
        ):
            if body is None:
                continue
            seeded = http.request(method, path, json=body)
            if seeded.status_code != 200:
                raise RuntimeError(
                    f"the reference server refused what the cassette names ({path}): "
                    f"{seeded.text[:300]}"
                )
        for index, interaction in enumerate(interactions, start=1):
            if not _replayable(interaction):
                continue  # reported by refused(); never sent
            request, recorded = interaction["request"], interaction["response"]
            body = (request.get("body") or {}).get("json")
            headers = dict(request.get("headers") or {})
            if headers.get("x-session-id") in ids.sessions:
                headers["x-session-id"] = ids.sessions[headers["x-session-id"]]
            content = (
                json.dumps(ids.body(body)).encode()
                if body is not None
                else decode_body(request.get("body"))
            )
            label = f"{request['method']} {request['path']}"
            answer = http.request(
                request["method"],
                ids.path(request["path"]),
                params=request.get("query") or None,
                content=content or None,
                headers=headers,
            )
            differences += _compare(index, label, recorded, answer, ids)
    return differences


def _compare(
    index: int, label: str, recorded: dict[str, Any], answer: httpx.Response, ids: _Ids
) -> list[Difference]:
    found = []
    if recorded["status"] != answer.status_code:
        found.append(
            Difference(
                index, label, "HTTP status", str(recorded["status"]), str(answer.status_code)
            )
        )
    old, new = _answer_json(recorded), _answer_json(answer)
    if isinstance(old, dict) and isinstance(new, dict):
        if old.get("code") != new.get("code"):
            found.append(
                Difference(index, label, "code", str(old.get("code")), str(new.get("code")))
            )
        ids.learn(label, old.get("data"), new.get("data"))
    for where, was, now in shape_differences(old, new):
        found.append(Difference(index, label, where, was, now))
    return found
