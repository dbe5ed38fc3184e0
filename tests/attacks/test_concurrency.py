"""50 client threads creating 100 tasks each against the real CLI while its runner works."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx

from ..cli_process import output_of, server_process

THREADS, CREATES = 50, 100


def test_concurrent_creates_get_unique_ids_and_exact_counts(tmp_path: Path) -> None:
    with server_process(tmp_path / "tasks.sqlite3", "--threads", "16") as (process, base):
        ids: list[int] = []
        answers: Counter[tuple[int, int]] = Counter()
        lock = threading.Lock()

        def client(number: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                for _ in range(CREATES):
                    answer = http.post(
                        "/api/v1/task",
                        json={
                            "serials": [f"device_serial_{number % 5 + 1}"],
                            "script_name": "follow",
                            "script_config": {"target_username": f"@t{number}"},
                        },
                    )
                    body = answer.json()
                    with lock:
                        answers[answer.status_code, body["code"]] += 1
                        if body["code"] == 0:
                            ids.extend(body["data"]["task_ids"])

        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)

        assert answers == Counter({(200, 0): THREADS * CREATES})
        assert len(ids) == len(set(ids)) == THREADS * CREATES
        stats = httpx.get(f"{base}/api/v1/task/stats").json()["data"]
        assert stats["total"] == THREADS * CREATES
        parts = ("pending", "running", "completed", "failed")
        assert sum(stats[part] for part in parts) == stats["total"]
        assert stats["failed"] == 0
        assert "database is locked" not in output_of(process)
        assert " 500 " not in output_of(process)
