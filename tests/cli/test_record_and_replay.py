"""``tikmatrix record`` and ``tikmatrix conformance``, through the installed command."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from reference_server.testing import running_server
from tikmatrix_sdk.cli._conformance import shape_differences

from ..cassettes.session import play
from ..children import own_signals, reap

COMMAND = str(Path(sys.executable).parent / "tikmatrix")
SHIPPED = Path(__file__).parent.parent / "cassettes" / "reference-server.json"


def conformance(cassette: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, "conformance", str(cassette), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_shipped_cassette_replays_without_a_difference() -> None:
    done = conformance(SHIPPED)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "23 exchange(s) replayed: no difference" in done.stdout


def test_every_difference_of_shape_code_and_status_is_reported(tmp_path: Path) -> None:
    cassette = json.loads(SHIPPED.read_text(encoding="utf-8"))
    interactions = cassette["interactions"]
    stats = next(i for i in interactions if i["request"]["path"] == "/api/v1/task/stats")
    data = stats["response"]["body"]["json"]["data"]
    data["done"] = data.pop("completed")
    missing = next(i for i in interactions if i["response"]["status"] == 404)
    missing["response"]["status"] = 400
    missing["response"]["body"]["json"]["code"] = 40001
    listing = next(
        i
        for i in interactions
        if (i["request"]["method"], i["request"]["path"]) == ("GET", "/api/v1/task")
    )
    listing["response"]["body"]["json"]["data"]["total"] = "2"  # a number sent as text
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(cassette), encoding="utf-8")
    done = conformance(tampered, "--json")
    assert done.returncode == 1
    found = {
        (d["request"], d["where"], d["recorded"], d["replayed"]) for d in json.loads(done.stdout)
    }
    assert found == {
        ("GET /api/v1/task/stats", "$.data.done", "number", "missing"),
        ("GET /api/v1/task/stats", "$.data.completed", "missing", "number"),
        ("GET /api/v1/task/999999", "HTTP status", "400", "404"),
        ("GET /api/v1/task/999999", "code", "40001", "40401"),
        ("GET /api/v1/task", "$.data.total", "string", "number"),
    }


def test_a_file_that_is_not_a_cassette_is_a_usage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    done = conformance(bogus)
    assert done.returncode == 2
    assert "is not a cassette" in done.stderr


def test_record_keeps_every_exchange_and_its_answer_unchanged(tmp_path: Path) -> None:
    cassette = tmp_path / "mine.json"
    with running_server() as upstream:
        recorder = subprocess.Popen(
            own_signals(
                [COMMAND, "record", "--upstream", upstream, "--out", str(cassette), "--port", "0"]
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert recorder.stdout is not None
            proxy = recorder.stdout.readline().strip()
            assert proxy.startswith("http://127.0.0.1:")
            play(proxy)  # the app works through the proxy as against TikMatrix itself
        finally:
            recorder.send_signal(signal.SIGINT)
            try:
                _, errors = recorder.communicate(timeout=30)
            finally:
                reap(recorder)
    assert recorder.returncode == 0, errors
    assert "Recorded 23 exchange(s)" in errors
    recorded = json.loads(cassette.read_text(encoding="utf-8"))
    assert recorded["upstream"] == upstream
    exchanges: dict[tuple[str, str], Any] = {}
    for interaction in recorded["interactions"]:  # the first exchange of each route
        request = interaction["request"]
        exchanges.setdefault((request["method"], request["path"]), interaction)
    create = exchanges["POST", "/api/v1/task"]
    assert create["request"]["body"]["json"]["script_name"] == "follow"
    assert create["response"]["body"]["json"]["data"]["task_ids"] == [1]
    shot = exchanges["GET", "/api/v1/rpc/screenshot"]
    assert base64.b64decode(shot["response"]["body"]["base64"]).startswith(b"\x89PNG")
    assert shot["request"]["headers"]["x-session-id"]
    assert exchanges["GET", "/api/v1/rpc/hierarchy"]["response"]["body"]["text"].startswith("<?xml")
    assert conformance(cassette).returncode == 0  # and it replays


@pytest.mark.parametrize(
    ("recorded", "replayed", "expected"),
    [
        ({"a": 1, "b": None}, {"a": 2.5, "b": "later"}, []),
        ({"a": [{"x": 1}]}, {"a": [{"x": "1"}]}, [("$.a[0].x", "number", "string")]),
        ({"a": []}, {"a": [{"x": 1}]}, []),
        ({"a": {"b": True}}, {"a": {}}, [("$.a.b", "boolean", "missing")]),
        ([1], {"a": 1}, [("$", "array", "object")]),
    ],
)
def test_shapes_are_compared_not_values(recorded: Any, replayed: Any, expected: Any) -> None:
    assert list(shape_differences(recorded, replayed)) == expected


def test_record_refuses_a_folder_that_is_not_there(tmp_path: Path) -> None:
    out = str(tmp_path / "no" / "x.json")
    done = subprocess.run(
        [COMMAND, "record", "--upstream", "http://127.0.0.1:9", "--out", out, "--port", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "No such file or directory" in done.stderr


def test_the_proxy_forwards_paths_of_the_upstream_only(tmp_path: Path) -> None:
    import http.client

    from tikmatrix_sdk.cli._record import RecordingProxy

    with running_server() as upstream:
        proxy = RecordingProxy(upstream, tmp_path / "c.json", port=0)
        thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
        thread.start()
        try:
            port = proxy.server.server_address[1]
            for path, headers, status in [
                ("http://127.0.0.1:9/leak", {}, 400),
                ("/api/v1/task", {"Content-Length": "-1"}, 400),
                ("/api/v1/task", {"Transfer-Encoding": "chunked"}, 411),
                ("/api/v1/task/stats", {}, 200),
            ]:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.putrequest("GET", path, skip_accept_encoding=True)
                for name, value in headers.items():
                    connection.putheader(name, value)
                connection.endheaders()
                assert connection.getresponse().status == status, path
                connection.close()
        finally:
            proxy.server.shutdown()
            proxy.close()
    recorded = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert [i["request"]["path"] for i in recorded["interactions"]] == ["/api/v1/task/stats"]


@pytest.mark.parametrize(
    "interactions",
    [
        [1],
        [
            {
                "request": {"method": "GET", "path": "http://127.0.0.1:9/leak"},
                "response": {"status": 200},
            }
        ],
    ],
)
def test_a_malformed_cassette_is_refused(tmp_path: Path, interactions: list[Any]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 1, "interactions": interactions}), encoding="utf-8")
    done = conformance(bad)
    assert done.returncode == 2
    assert "exchange 1 is not a request and its answer" in done.stderr


def test_ids_are_paired_by_the_answers_that_create_them() -> None:
    from tikmatrix_sdk.cli._conformance import _Ids

    ids = _Ids()
    ids.learn("POST /api/v1/task", {"task_ids": [10, 11]}, {"task_ids": [1, 2]})
    ids.learn("POST /api/v1/task/retry-all", {"task_ids": [11]}, {"task_ids": [1]})
    ids.learn("POST /api/v1/task", {"task_ids": [10]}, {"task_ids": [7]})
    assert ids.path("/api/v1/task/11/stop") == "/api/v1/task/2/stop"
    assert ids.path("/api/v1/task/10") == "/api/v1/task/1"


def _exchange(method: str, path: str, body: Any, answer: Any) -> dict[str, Any]:
    return {
        "request": {"method": method, "path": path, "query": {}, "headers": {}, "body": body},
        "response": {
            "status": 200,
            "headers": {"content-type": "application/json"},
            "body": {"json": {"code": 0, "message": "success", "data": answer}},
        },
    }


def test_a_cassette_cannot_drive_the_control_api_or_run_a_command(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'w').write('pwned')"]
    registration = {"json": {"command": command}}
    task = {
        "json": {
            "serials": ["device_serial_1"],
            "script_name": "evil",
            "script_config": {},
        }
    }
    cassette = json.loads(SHIPPED.read_text(encoding="utf-8"))
    cassette["interactions"] = [
        _exchange("PUT", "/_control/custom-scripts/evil", registration, {"name": "evil"}),
        _exchange("POST", "/api/v1/%2e%2e/_control/reset", {"json": {}}, {"devices": 5}),
        _exchange("POST", "/api/v1/task", task, {"task_ids": [1], "created_count": 1}),
    ]
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(cassette), encoding="utf-8")
    done = conformance(hostile, "--json")
    assert "Not replayed: 2 exchange(s) outside /api/v1/" in done.stderr
    assert "#1 PUT /_control/custom-scripts/evil" in done.stderr
    assert "#2 POST /api/v1/%2e%2e/_control/reset" in done.stderr
    assert done.returncode == 1  # the task for a script that was never registered: refused
    (refusal,) = [d for d in json.loads(done.stdout) if d["where"] == "code"]
    assert (refusal["request"], refusal["recorded"]) == ("POST /api/v1/task", "0")
    assert not marker.exists()
