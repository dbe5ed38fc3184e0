"""SIGKILL the real CLI with 1,000 tasks running and creates in flight, then start it again."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from ..cli_process import server_process
from ..waiting import wait_until

DEVICES = 1000


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_no_acknowledged_task_is_lost_and_interrupted_tasks_can_be_retried(
    tmp_path: Path,
) -> None:
    db = tmp_path / "tasks.sqlite3"
    serials = [f"device_serial_{n}" for n in range(1, DEVICES + 1)]
    acknowledged: list[int] = []
    lock = threading.Lock()
    stop_creating = threading.Event()

    with server_process(db, "--plan", "Business", "--devices", str(DEVICES)) as (process, base):
        with httpx.Client(base_url=base, timeout=60) as http:
            for serial in serials:  # every device busy for ten minutes per task
                http.put(f"/_control/devices/{serial}/behaviour", json={"duration": 600})
            answer = http.post(
                "/api/v1/task",
                json={
                    "serials": serials,
                    "script_name": "follow",
                    "script_config": {"target_username": "@long"},
                },
            ).json()
            acknowledged += answer["data"]["task_ids"]

            def running() -> bool:
                return bool(http.get("/api/v1/task/stats").json()["data"]["running"] == DEVICES)

            wait_until(running, "1,000 running tasks", timeout=120, interval=0.1)

        def create_forever(number: int) -> None:
            with httpx.Client(base_url=base, timeout=10) as http:
                while not stop_creating.is_set():
                    try:
                        answer = http.post(
                            "/api/v1/task",
                            json={
                                "serials": [serials[number]],
                                "script_name": "follow",
                                "script_config": {"target_username": "@later"},
                                "start_time": "23:59",
                            },
                        )
                    except httpx.TransportError:
                        return  # the server died under this request: not acknowledged
                    with lock:
                        acknowledged.extend(answer.json()["data"]["task_ids"])

        creators = [threading.Thread(target=create_forever, args=(n,)) for n in range(8)]
        for creator in creators:
            creator.start()
        wait_until(
            lambda: len(acknowledged) > DEVICES + 200,
            "creates in flight",
            timeout=120,
            interval=0.1,
        )
        process.kill()  # SIGKILL; TerminateProcess on Windows: no chance to clean up
        process.wait(10)
        stop_creating.set()
        for creator in creators:
            creator.join(30)

    with server_process(db) as (_, base), httpx.Client(base_url=base, timeout=60) as http:
        stored: dict[int, dict[str, object]] = {}
        page = 1
        while True:
            data = http.get("/api/v1/task", params={"page": page, "page_size": 100}).json()
            stored.update({task["id"]: task for task in data["data"]["tasks"]})
            if page * 100 >= data["data"]["total"]:
                break
            page += 1
        assert set(acknowledged) <= set(stored)  # nothing acknowledged was lost
        interrupted = [stored[task_id] for task_id in acknowledged[:DEVICES]]
        assert {(task["status"], task["remark"]) for task in interrupted} == {(3, "interrupted")}
        retried = http.post(f"/api/v1/task/{acknowledged[0]}/retry").json()["data"]
        assert (retried["status"], retried["retry_count"]) == (0, 1)

    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
