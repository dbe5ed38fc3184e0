"""The ``tikmatrix`` command through its installed entry point, against a live reference server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reference_server.testing import ControlClient
from tikmatrix_sdk import SCRIPT_CONFIGS

from ..children import child
from .in_process import run_in_process

COMMAND = str(Path(sys.executable).parent / "tikmatrix")


@pytest.fixture
def server(tikmatrix_server: str, tikmatrix_reset: None) -> str:
    return tikmatrix_server


def tikmatrix(
    *args: str, url: str | None = None, env: dict[str, str] | None = None, as_child: bool = False
) -> Any:
    """Run the command: its exit status, stdout and stderr as text.

    In this process (:mod:`.in_process`), or with ``as_child`` as the installed entry point
    in a process of its own, as a shell starts it.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TIKMATRIX_")}
    environment.update(env or {})
    if url is not None:
        environment["TIKMATRIX_BASE_URL"] = url
    if not as_child:
        return run_in_process(list(args), environment)
    return subprocess.run(
        [COMMAND, *args], capture_output=True, text=True, timeout=120, env=environment, check=False
    )


def as_json(*args: str, url: str) -> Any:
    done = tikmatrix(*args, "--json", url=url)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_lists_every_command() -> None:
    done = tikmatrix("--help", as_child=True)  # the installed entry point, end to end
    assert done.returncode == 0
    for command in ("license", "tasks", "accounts"):
        assert command in done.stdout
    tasks = tikmatrix("tasks", "--help").stdout
    for command in ("create", "list", "get", "stop", "retry", "retry-all", "delete", "stats"):
        assert f"  {command} " in tasks
    assert "  wait " in tasks
    assert tikmatrix("--version").stdout.startswith("tikmatrix, version ")


def test_license_as_a_table_and_as_json(server: str) -> None:
    table = tikmatrix("license", url=server)
    assert table.returncode == 0
    assert "Pro" in table.stdout
    assert "API access enabled" in table.stdout
    assert as_json("license", url=server)["plan_name"] == "Pro"
    explicit = tikmatrix("--base-url", server, "license", "--json", url="http://127.0.0.1:9")
    assert json.loads(explicit.stdout)["device_limit"] == 20  # --base-url wins


def test_create_from_options_and_files(server: str, tmp_path: Path) -> None:
    created = as_json(
        "tasks", "create", "follow", "--serial", "device_serial_1",
        "--set", 'target_users=["@a", "@b"]', "--set", "access_method=search",
        url=server,
    )  # fmt: skip
    assert created["created_count"] == 2  # follow makes one task per user
    tasks = as_json("tasks", "list", url=server)
    assert sorted(user for t in tasks for user in t["script_config"]["target_users"]) == [
        "@a",
        "@b",
    ]
    assert {t["script_config"]["access_method"] for t in tasks} == {"search"}

    toml = tmp_path / "post.toml"
    toml.write_text('captions = "From TOML"\nmaterial_list = ["C:/a.mp4"]\n', encoding="utf-8")
    as_json(
        "tasks", "create", "post", "--serial", "device_serial_2", "--config", str(toml), url=server
    )
    config = tmp_path / "post.json"
    config.write_text(
        json.dumps({"captions": "From JSON", "material_list": ["C:/b.mp4"]}), encoding="utf-8"
    )
    as_json(
        "tasks", "create", "post", "--serial", "device_serial_3", "--config", str(config),
        "--set", "captions=Overridden",
        url=server,
    )  # fmt: skip
    posts = as_json("tasks", "list", "--script", "post", url=server)
    captions = [t["script_config"]["captions"] for t in posts]
    assert captions[:2] == ["Overridden", "From TOML"]


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (
            ["follow", "--serial", "device_serial_1", "--set", "target_usernme=@a"],
            "follow has no option 'target_usernme'; did you mean 'target_username'?",
        ),
        (
            ["follow", "--serial", "device_serial_1", "--set", "access_method=teleport"],
            "access_method",
        ),
        (["dance", "--serial", "device_serial_1"], "unknown script 'dance'. The SDK knows"),
        (
            ["folow", "--serial", "device_serial_1"],
            "unknown script 'folow'; did you mean 'follow'?",
        ),
        (["follow", "--serial", "device_serial_1", "--set", "oops"], "not name=value"),
        (
            ["post", "--serial", "device_serial_1", "--start-time", "25:00"],
            "Invalid value for '--start-time': a time of day in 24-hour form, HH:MM from 00:00 "
            "to 23:59, not '25:00'",
        ),
        (
            ["follow", "--serial", "device_serial_1"],
            "or target_username (a script option: --set NAME=VALUE, or --config FILE)",
        ),
    ],
)
def test_a_mistake_is_named_before_anything_is_sent(
    server: str, args: list[str], mentions: str
) -> None:
    done = tikmatrix("tasks", "create", *args, url=server)
    assert done.returncode == 2, done.stdout + done.stderr
    assert mentions in " ".join(done.stderr.replace("│", " ").split())  # as one line of text
    assert "Traceback" not in done.stderr
    assert "__init__" not in done.stderr
    assert "datetime" not in done.stderr  # the command line's words, not Python's
    assert done.stderr.startswith("Usage: tikmatrix tasks create [OPTIONS] SCRIPT\n")
    assert as_json("tasks", "stats", url=server)["total"] == 0


def test_a_refused_option_of_the_group_is_named_as_typed() -> None:
    done = tikmatrix("--base-url", "localhost:50911", "license", url=None)
    assert done.returncode == 2
    assert done.stderr.startswith("Usage: tikmatrix license [OPTIONS]\n")
    assert done.stderr.rstrip().endswith(
        "Error: --base-url must be an http:// or https:// URL with a host, got 'localhost:50911'"
    )
    assert "(base_url)" not in done.stderr


def test_json_tasks_carry_the_status_in_words_beside_the_number(server: str) -> None:
    create = ("tasks", "create", "follow", "--serial", "device_serial_1")
    (task_id,) = as_json(*create, "--set", "target_username=@a", url=server)["task_ids"]
    waited = as_json("tasks", "wait", str(task_id), "--interval", "0.05", url=server)
    got = as_json("tasks", "get", str(task_id), url=server)
    listed = as_json("tasks", "list", url=server)
    for task in (waited[0], got, listed[0]):
        keys = list(task)
        assert keys[keys.index("status") + 1] == "status_name"
        assert (task["status"], task["status_name"]) == (2, "completed")


def test_waiting_for_a_missing_task_prints_only_the_error(server: str) -> None:
    done = tikmatrix("tasks", "wait", "999", url=server)
    assert done.returncode == 4
    assert done.stdout == ""
    assert done.stderr == "Error: [40401] task 999 not found (HTTP 404)\n"


def test_list_all_pages_through_everything(server: str) -> None:
    serials = [f"device_serial_{i}" for i in range(1, 6)]
    for _ in range(5):
        args = [arg for serial in serials for arg in ("--serial", serial)]
        as_json("tasks", "create", "follow", *args, "--set", "target_username=@x", url=server)
    assert len(as_json("tasks", "list", "--page-size", "7", url=server)) == 7
    every = as_json("tasks", "list", "--all", url=server)
    assert sorted(task["id"] for task in every) == list(range(1, 26))
    assert len(as_json("tasks", "list", "--all", "--serial", "device_serial_2", url=server)) == 5


def test_the_lifecycle_commands(server: str, tikmatrix_control: ControlClient) -> None:
    tikmatrix_control.request("PUT", "/devices/device_serial_1/behaviour", {"failure": "always"})
    as_json(
        "tasks",
        "create",
        "follow",
        "--serial",
        "device_serial_1",
        "--set",
        "target_username=@a",
        url=server,
    )
    done = tikmatrix("tasks", "wait", "1", "--interval", "0.05", url=server)
    assert done.returncode == 1  # the task failed
    assert "failed" in done.stdout
    assert as_json("tasks", "get", "1", url=server)["status"] == 3
    tikmatrix_control.request("PUT", "/devices/device_serial_1/behaviour", {"failure": "never"})
    assert as_json("tasks", "retry", "1", url=server)["retry_count"] == 1
    waited = tikmatrix("tasks", "wait", "1", "--interval", "0.05", "--json", url=server)
    assert waited.returncode == 0, waited.stderr
    assert [t["status"] for t in json.loads(waited.stdout)] == [2]
    nothing = tikmatrix("tasks", "wait", "--all-pending", "--json", url=server)
    assert (nothing.returncode, json.loads(nothing.stdout)) == (0, [])
    assert as_json("tasks", "retry-all", url=server)["retried_count"] == 0
    stats = tikmatrix("tasks", "stats", url=server)
    assert "completed" in stats.stdout
    as_json(
        "tasks",
        "create",
        "follow",
        "--serial",
        "device_serial_2",
        "--set",
        "target_username=@a",
        "--start-time",
        "23:59",
        url=server,
    )
    assert as_json("tasks", "stop", "2", url=server)["remark"] == "stopped by user"
    deleted = as_json("tasks", "delete", "1", "2", "99", url=server)
    assert (deleted["deleted_count"], deleted["not_found_ids"]) == (2, [99])


def test_wait_gives_up_with_the_timeout_status(server: str) -> None:
    as_json(
        "tasks",
        "create",
        "follow",
        "--serial",
        "device_serial_1",
        "--set",
        "target_username=@a",
        "--start-time",
        "23:59",
        url=server,
    )
    done = tikmatrix("tasks", "wait", "1", "--timeout", "0.3", "--interval", "0.05", url=server)
    assert done.returncode == 5
    assert "did not finish within 0.3 s" in done.stderr


def test_accounts(server: str) -> None:
    accounts = as_json("accounts", "list", "--device", "device_serial_2", url=server)
    assert {a["username"] for a in accounts} == {"@user2", "@my_account2", "@insta_user2"}
    assert len(as_json("accounts", "list", "--all", url=server)) == 15
    assert "@insta_user1" in tikmatrix("accounts", "list", url=server).stdout


@pytest.mark.parametrize(
    ("args", "status", "mentions"),
    [
        (["tasks", "get", "999"], 4, "[40401] task 999 not found (HTTP 404)"),
        (["tasks", "get", "0"], 2, "'0' is not a task id"),
        (["tasks", "wait"], 2, "give task ids, or --all-pending"),
        (["tasks", "frobnicate"], 2, "No such command"),
    ],
)
def test_errors_print_a_message_and_their_status(
    server: str, args: list[str], status: int, mentions: str
) -> None:
    done = tikmatrix(*args, url=server)
    assert done.returncode == status
    assert mentions in " ".join(done.stderr.replace("│", " ").split())  # as one line of text
    assert "Traceback" not in done.stderr
    assert "__init__" not in done.stderr


def test_no_server_is_a_connection_error() -> None:
    done = tikmatrix("license", url="http://127.0.0.1:9", as_child=True)
    assert done.returncode == 3
    assert done.stderr.startswith("Error: Connection error")


def test_an_api_error_code(server: str, tikmatrix_control: ControlClient) -> None:
    tikmatrix_control.fault("/api/v1/task/stats", code=40301, http_status=403, message="lapsed")
    done = tikmatrix("tasks", "stats", url=server)
    assert done.returncode == 4
    assert "[40301] lapsed (HTTP 403)" in done.stderr


def test_a_plan_without_the_api_is_shown_and_ends_as_an_api_error(
    server: str, tikmatrix_control: ControlClient
) -> None:
    tikmatrix_control.set_plan("Starter")
    shown = tikmatrix("license", url=server)
    assert shown.returncode == 4
    assert "Starter" in shown.stdout
    assert "no" in shown.stdout.split()
    assert shown.stderr.startswith("Error: [40301] API access requires a Pro")
    assert shown.stderr.rstrip().endswith("(plan Starter)")
    as_json = tikmatrix("license", "--json", url=server)
    assert as_json.returncode == 4
    assert json.loads(as_json.stdout)["api_enabled"] is False


def test_shell_completion_comes_with_click() -> None:
    done = tikmatrix(env={"_TIKMATRIX_COMPLETE": "bash_source"})
    assert done.returncode == 0
    assert "_tikmatrix_completion" in done.stdout


def _completions(words: str) -> list[str]:
    """What bash completion offers for the last of ``words`` (its ``plain,NAME`` lines)."""
    env = {
        "_TIKMATRIX_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    done = tikmatrix(env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return [line.split(",", 1)[1] for line in lines if line.startswith("plain,")]


def test_shell_completion_names_the_scripts_after_tasks_create() -> None:
    assert _completions("tikmatrix tasks create ") == sorted(SCRIPT_CONFIGS)
    assert _completions("tikmatrix tasks create fo") == ["follow"]
    assert _completions("tikmatrix tasks cr") == ["create"]


@pytest.fixture
def unexpected_server() -> Iterator[str]:
    """A server that answers HTML: a proxy's error page."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>gateway error</html>"
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_an_answer_that_is_not_the_apis_envelope(unexpected_server: str) -> None:
    done = tikmatrix("--timeout", "5", "license", url=unexpected_server)
    assert done.returncode == 6, done.stderr
    assert "not JSON" in done.stderr


def test_values_are_printed_as_text_not_markup(
    server: str, tikmatrix_control: ControlClient
) -> None:
    tikmatrix_control.request(
        "POST", "/accounts", {"accounts": [{"username": "[/bold]x", "device": "device_serial_1"}]}
    )
    done = tikmatrix("accounts", "list", "--all", url=server)
    assert done.returncode == 0, done.stderr
    assert "[/bold]x" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--timeout", "nan", "license"],
        ["tasks", "list", "--page", "2000000"],
        ["tasks", "create", "follow", "--serial", "s", "--min-interval", "99999"],
        ["tasks", "create", "follow", "--serial", "s", "--set", 'target_username="\\ud800"'],
    ],
)
def test_out_of_range_values_are_usage_errors(server: str, args: list[str]) -> None:
    done = tikmatrix(*args, url=server)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_config_file_that_is_not_utf8(server: str, tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_bytes(b'{"captions": "\xff"}')
    done = tikmatrix(
        "tasks", "create", "post", "--serial", "x", "--config", str(config), url=server
    )
    assert done.returncode == 2
    assert "not UTF-8" in done.stderr


def test_ctrl_c_is_its_own_status(server: str) -> None:
    as_json(
        "tasks", "create", "follow", "--serial", "device_serial_1",
        "--set", "target_username=@a", "--start-time", "23:59",
        url=server,
    )  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TIKMATRIX_")}
    environment["TIKMATRIX_BASE_URL"] = server
    environment["TIKMATRIX_LOG"] = "info"  # each request logged on stderr as it is answered
    with child(
        [COMMAND, "tasks", "wait", "--all-pending"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    ) as waiting:
        assert waiting.stderr is not None
        seen = ""
        while "GET /task" not in seen:  # the state it needs: the command is waiting, polling
            line = waiting.stderr.readline()
            assert line, f"the command ended before it polled: {seen}"
            seen += line
        waiting.send_signal(signal.SIGINT)
        _, errors = waiting.communicate(timeout=30)
    assert waiting.returncode == 130
    assert "interrupted" in seen + errors


def test_a_mistyped_command_gets_a_suggestion() -> None:
    """#34, item 8: a mistyped option got one, a mistyped command did not."""
    from click.testing import CliRunner

    from tikmatrix_sdk.cli import cli

    runner = CliRunner()
    done = runner.invoke(cli, ["lisence"])
    assert done.exit_code == 2
    assert "Did you mean 'license'?" in done.output
    done = runner.invoke(cli, ["tasks", "stat"])
    assert "Did you mean 'stats'?" in done.output
    assert "Did you mean" not in runner.invoke(cli, ["zzzz"]).output


def test_a_wait_that_times_out_names_the_status_in_words() -> None:
    from tikmatrix_sdk import Task, TaskStatus, WaitTimeoutError

    error = WaitTimeoutError(7, 2.0, Task(id=7, status=TaskStatus.PENDING))
    assert str(error) == "task 7 did not finish within 2 s (last status: pending)"
