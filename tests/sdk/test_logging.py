"""The tikmatrix_sdk logger: requests, answers and retries at INFO; bodies only at DEBUG."""

from __future__ import annotations

import logging
import subprocess
import sys

import httpx
import pytest
import respx

from tikmatrix_sdk import APIConnectionError, AsyncTikMatrix, FollowConfig, TikMatrix

from .conftest import Sleeps, envelope, resolve

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix

STATS = {"total": 0, "pending": 0, "running": 0, "completed": 0, "failed": 0}


async def test_requests_answers_and_retries_are_logged_without_bodies_at_info(
    client: Client, router: respx.MockRouter, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    router.get("/task/stats").mock(
        side_effect=[httpx.Response(503, text="busy"), httpx.Response(200, json=envelope(STATS))]
    )
    with caplog.at_level(logging.INFO, logger="tikmatrix_sdk"):
        await resolve(client.tasks.stats())
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith("GET /task/stats -> 503 (")
    assert lines[1] == (
        f"retrying GET /task/stats in {sleeps[0]:.2f} s (retry 1 of 2) after HTTP 503"
    )
    assert lines[2].startswith("GET /task/stats -> 200 (")
    assert len(lines) == 3
    assert all(record.name == "tikmatrix_sdk" for record in caplog.records)


async def test_bodies_are_logged_at_debug(
    client: Client, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    router.post("/task").respond(json=envelope({"task_ids": [1], "created_count": 1}))
    with caplog.at_level(logging.DEBUG, logger="tikmatrix_sdk"):
        await resolve(
            client.tasks.create(
                FollowConfig(target_username="@a"), serials=["s"], extra_body={"note": "n"}
            )
        )
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any('"target_username":"@a"' in line for line in debug), debug
    assert any('"note":"n"' in line and line.startswith("POST ") for line in debug), debug
    assert any('"task_ids":[1]' in line.replace(" ", "") for line in debug), debug


async def test_transport_failures_are_logged(
    client: Client, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    router.post("/task/1/stop").mock(side_effect=httpx.ReadTimeout("t"))
    with caplog.at_level(logging.INFO, logger="tikmatrix_sdk"), pytest.raises(APIConnectionError):
        await resolve(client.tasks.stop(1))
    assert [r.getMessage() for r in caplog.records] == ["POST /task/1/stop failed: ReadTimeout"]


@pytest.mark.parametrize(("value", "level"), [("debug", 10), ("INFO", 20), ("", 0), ("x", 0)])
def test_tikmatrix_log_turns_logging_on_without_code(value: str, level: int) -> None:
    code = (
        "import logging, tikmatrix_sdk; "
        "log = logging.getLogger('tikmatrix_sdk'); print(log.level, len(log.handlers))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"TIKMATRIX_LOG": value, "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(level), "1" if level else "0"]
