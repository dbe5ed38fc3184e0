"""How close the reference server comes to its floors, as ratios measured in one run.

The floor of an answer is a bare Flask route, served by the same waitress, returning the same
bytes: what any Flask server pays before doing any work. Each case is timed against it over
one keep-alive connection, the two taking turns, best of several rounds:

* a filtered page (status and serial, 100 tasks) and a status-only page, on 100,000 tasks;
  the status-only page again as read for the first time (each task read and written whole);
* page 1,000 against page 1 of the unfiltered list (the cost of paging deep);
* ``GET /task/stats`` on 1,000,000 tasks;
* the server's resident memory while 10,000 tasks are pending, against a bare Flask app's,
  each in a fresh process;
* the async client: 1,000 calls at concurrency 50 to an endpoint given 20 ms of latency
  through the control API, against the sequential blocking client (here the ratio is a
  speed-up: higher is better), beside raw httpx at the same concurrency;
* the server's memory with 500 idle keep-alive connections open, against none, and a call
  made beside them.

Nothing here asserts a time. Run it with ``python bench/server_bench.py`` (``--quick`` for a
short run); ``nox -s bench`` runs it with the other benchmarks.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
from _turns import best_of_turns  # bench/ is on the path: these files run as scripts
from flask import Flask, Response

from reference_server import ServerConfig, create_app
from reference_server.domain.sqlite_store import SQLiteStore
from reference_server.domain.store import NewTask
from reference_server.http.serving import make_server
from reference_server.http.task_pages import TaskPages
from reference_server.scripts import SCRIPTS
from reference_server.testing import free_port, stop_server, wait_until_serving
from tikmatrix_sdk import AsyncTikMatrix, TikMatrix

DEVICES = 200
QUICK = "--quick" in sys.argv
#: A follow task's stored config, as the server prepares it.
CONFIG = SCRIPTS["follow"].prepare({"target_users": ["@a"]})[0]


def fill(path: Path, count: int, *, due: bool = True) -> None:
    """A store with ``count`` follow tasks over ``DEVICES`` devices, statuses mixed."""
    store = SQLiteStore(path)
    serials = [f"device_serial_{i}" for i in range(1, DEVICES + 1)]
    store.add_devices(serials)
    now = time.time()
    batch: list[NewTask] = []
    for n in range(count):
        batch.append(
            NewTask(
                serial=serials[n % DEVICES],
                username=None,
                script_name="follow",
                script_config={
                    **CONFIG,
                    "target_users": [f"@user{n}"],
                    "target_username": f"@user{n}",
                },
                source="api",
                enable_multi_account=False,
                start_time=None,
                # ten tasks a request, one request a second: realistic shared time stamps
                scheduled_at=(now if due else now + 86_400) - (count - n) // 10,
                created_at=now - (count - n) // 10,
            )
        )
        if len(batch) == 10_000:
            store.insert_tasks(batch)
            batch = []
    if batch:
        store.insert_tasks(batch)
    # a realistic mix: most tasks done, some failed, the newest pending
    with store.transaction() as db:
        set_status(db, 2, "id % 10 < 7")
        set_status(db, 3, "id % 10 = 7")
        set_status(db, 0, "id % 10 > 7")
    store.close()


def set_status(db: sqlite3.Connection, status: int, where: str) -> None:
    """Move the tasks ``where`` holds to ``status``, each with a new revision (as the store's
    triggers ask of every writer: a revision taken from ``task_revs`` first)."""
    db.execute("UPDATE task_revs SET last = last + 1")
    db.execute(
        f"UPDATE tasks SET status = ?, rev = (SELECT last FROM task_revs) WHERE {where}",
        (status,),
    )


@contextmanager
def serving(app: Any, threads: int = 4) -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port in a thread."""
    port = free_port()
    server = make_server(app, host="127.0.0.1", port=port, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


def bare_app(body: bytes) -> Flask:
    """A Flask app whose one route answers ``body``: the floor."""
    app = Flask("bare")

    @app.get("/<path:anything>")
    def answer(anything: str) -> Response:
        return Response(body, mimetype="application/json")

    return app


def page_cases(directory: Path, rows: list[tuple[str, float, str]]) -> None:
    db = directory / "100k.sqlite3"
    fill(db, 20_000 if QUICK else 100_000)
    app = create_app(ServerConfig(db=db, run_scheduler=False, devices=DEVICES))
    number, rounds = (20, 3) if QUICK else (100, 7)
    queries = {
        "page: status + serial": "/api/v1/task?status=2&serial=device_serial_1&page_size=100",
        "page: status only": "/api/v1/task?status=2&page_size=100",
        "page 1 (unfiltered)": "/api/v1/task?page=1&page_size=100",
        "page 1,000 (unfiltered)": "/api/v1/task?page=1000&page_size=100",
    }
    if QUICK:
        queries["page 1,000 (unfiltered)"] = "/api/v1/task?page=200&page_size=100"
    with serving(app) as url, httpx.Client(base_url=url) as http:
        answers = {name: http.get(query).content for name, query in queries.items()}
        for name, query in queries.items():
            if name.startswith("page 1,000"):
                continue
            with serving(bare_app(answers[name])) as bare_url, httpx.Client() as bare:
                floor_url = f"{bare_url}{query}"

                def ours(q: str = query) -> bytes:
                    return http.get(q).content

                def floor(u: str = floor_url) -> bytes:
                    return bare.get(u).content

                times = best_of_turns({"server": ours, "bare": floor}, number=number, rounds=rounds)
                rows.append((name, times["server"], f"{times['server'] / times['bare']:.2f}x bare"))
                if name == "page: status only":  # and read as for the first time
                    kept = app.extensions["tikmatrix_task_pages"]
                    app.extensions["tikmatrix_task_pages"] = TaskPages(pages=0)
                    cold = best_of_turns(
                        {"server": ours, "bare": floor}, number=number, rounds=rounds
                    )
                    app.extensions["tikmatrix_task_pages"] = kept
                    rows.append(
                        (
                            "page: status only, first read",
                            cold["server"],
                            f"{cold['server'] / cold['bare']:.2f}x bare",
                        )
                    )
        deep = best_of_turns(
            {
                "1": lambda: http.get(queries["page 1 (unfiltered)"]).content,
                "deep": lambda: http.get(queries["page 1,000 (unfiltered)"]).content,
            },
            number=number,
            rounds=rounds,
        )
        rows.append(
            ("page 1,000 vs page 1", deep["deep"], f"{deep['deep'] / deep['1']:.2f}x page 1")
        )
    app.extensions["tikmatrix_close"]()


def stats_case(directory: Path, rows: list[tuple[str, float, str]]) -> None:
    db = directory / "1m.sqlite3"
    fill(db, 100_000 if QUICK else 1_000_000)
    app = create_app(ServerConfig(db=db, run_scheduler=False, devices=DEVICES))
    number, rounds = (20, 3) if QUICK else (100, 7)
    with serving(app) as url, httpx.Client(base_url=url) as http:
        body = http.get("/api/v1/task/stats").content
        with serving(bare_app(body)) as bare_url, httpx.Client() as bare:
            times = best_of_turns(
                {
                    "server": lambda: http.get("/api/v1/task/stats").content,
                    "bare": lambda: bare.get(f"{bare_url}/api/v1/task/stats").content,
                },
                number=number,
                rounds=rounds,
            )
    app.extensions["tikmatrix_close"]()
    label = "stats, 1,000,000 tasks" if not QUICK else "stats, 100,000 tasks"
    rows.append((label, times["server"], f"{times['server'] / times['bare']:.2f}x bare"))


_RSS_CHILD = """
import sys, threading, time
from pathlib import Path
kind, db = sys.argv[1], sys.argv[2]
if kind == "server":
    from reference_server import ServerConfig, create_app
    app = create_app(ServerConfig(db=db, devices=200, poll_interval=0.05))
else:
    from flask import Flask
    app = Flask("bare")
    app.get("/")(lambda: "{}")
from reference_server.http.serving import make_server
from reference_server.http.task_pages import TaskPages
from reference_server.scripts import SCRIPTS
from reference_server.testing import free_port, stop_server, wait_until_serving
server = make_server(app, host="127.0.0.1", port=0, threads=4)
threading.Thread(target=server.run, daemon=True).start()
time.sleep(2)  # let the scheduler tick over the pending tasks
rss = next(line for line in Path("/proc/self/status").read_text().splitlines()
           if line.startswith("VmRSS:"))
print(int(rss.split()[1]) * 1024)
"""


def rss_case(directory: Path, rows: list[tuple[str, float, str]]) -> None:
    if not Path("/proc/self/status").exists():
        rows.append(("RSS, 10,000 pending", float("nan"), "needs /proc"))
        return
    db = directory / "pending.sqlite3"
    fill(db, 10_000, due=False)
    with closing(SQLiteStore(db)) as store, store.transaction() as conn:
        set_status(conn, 0, "1")

    def measure(kind: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _RSS_CHILD, kind, str(db)],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stdout.split()[-1])

    server = min(measure("server") for _ in range(2))
    bare = min(measure("bare") for _ in range(2))
    rows.append(("RSS, 10,000 pending", server / 1e6, f"{server / bare:.2f}x bare Flask"))


@contextmanager
def server_process(directory: Path, name: str) -> Iterator[tuple[str, int]]:
    """The reference server as ``tikmatrix-server`` runs it (64 threads), in a process of its
    own so that client and server do not share one interpreter's lock: its URL and pid."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "reference_server", "--port", str(port), "--threads", "64"]
    argv += ["--db", str(directory / f"{name}.sqlite3")]
    with (directory / f"{name}.log").open("w", encoding="utf-8") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(url, process, seconds=30)
        yield url, process.pid
    finally:
        stop_server(process)


def async_case(directory: Path, rows: list[tuple[str, float, str]]) -> None:
    """The blocking client one call after another, then the async client with 50 calls in
    flight; and raw httpx with 50 in flight, through the SDK's pools and through httpx's one
    default pool, as the floor the SDK's own figure stands on."""
    calls = 200 if QUICK else 1_000
    with server_process(directory, "async") as (url, _):
        fault = {"path": "/api/v1/task/stats", "latency": 0.02}
        httpx.post(f"{url}/_control/faults", json=fault).raise_for_status()
        with TikMatrix(url) as client:
            client.tasks.stats()
            start = time.perf_counter()
            for _ in range(calls // 5):  # a fifth of the calls gives the sequential rate
                client.tasks.stats()
            sequential = (time.perf_counter() - start) / (calls // 5) * calls

        async def fifty_at_once(call: Callable[[], Awaitable[object]]) -> float:
            gate = asyncio.Semaphore(50)

            async def one() -> None:
                async with gate:
                    await call()

            await asyncio.gather(*(one() for _ in range(50)))  # open the connections
            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(calls)))
            return time.perf_counter() - started

        async def run() -> dict[str, float]:
            stats = f"{url}/api/v1/task/stats"
            async with AsyncTikMatrix(url) as client:
                sdk = await fifty_at_once(client.tasks.stats)
                pools = await fifty_at_once(lambda: client.http_client.get(stats))
            limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
            async with httpx.AsyncClient(limits=limits) as http:
                one_pool = await fifty_at_once(lambda: http.get(stats))
            return {"sdk": sdk, "pools": pools, "one pool": one_pool}

        concurrent = asyncio.run(run())
    sdk = concurrent["sdk"]
    name = f"async: {calls} calls, 50 at a time, 20 ms each"
    rows.append((name, sdk, f"{sequential / sdk:.1f}x sequential sync"))
    pools, one_pool = concurrent["pools"], concurrent["one pool"]
    rows.append(("  raw httpx, the SDK's 8 pools", pools, f"{sequential / pools:.1f}x sequential"))
    rows.append(("  raw httpx, one pool", one_pool, f"{sequential / one_pool:.1f}x sequential"))


def _rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def keepalive_case(directory: Path, rows: list[tuple[str, float, str]]) -> None:
    """The server's memory with 500 idle keep-alive connections, against its memory with
    none; and a call on a connection of its own, with them and without them."""
    if not Path("/proc/self/status").exists():
        rows.append(("RSS, 500 idle keep-alive", float("nan"), "needs /proc"))
        return
    with server_process(directory, "keepalive") as (url, pid):
        host, port = url.removeprefix("http://").split(":")
        request = f"GET /api/v1/task/stats HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()

        def call() -> socket.socket:
            conn = socket.create_connection((host, int(port)))
            conn.sendall(request)
            answer = b""
            while b"\r\n\r\n" not in answer:  # the headers; the body is small
                answer += conn.recv(65536)
            return conn

        def alone() -> float:
            return best_of_turns({"call": lambda: call().close()}, number=50, rounds=3)["call"]

        for _ in range(200):
            call().close()
        before, without = _rss(pid), alone()
        idle = [call() for _ in range(500)]
        try:
            time.sleep(1)
            after, beside = _rss(pid), alone()
        finally:
            for conn in idle:
                conn.close()
    rows.append(("RSS, 500 idle keep-alive", after / 1e6, f"{after / before:.2f}x with none"))
    ratio = f"{beside / without:.2f}x without them"
    rows.append(("  a call on a new connection beside them", beside, ratio))


def main() -> None:
    """Run every case and print the table."""
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="tikmatrix-bench-") as name:
        directory = Path(name)
        page_cases(directory, rows)
        stats_case(directory, rows)
        rss_case(directory, rows)
        async_case(directory, rows)
        keepalive_case(directory, rows)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs" + (" (quick)" if QUICK else ""))
    print(f"{'case':44} {'ms or MB':>10}  ratio")
    for name, seconds, ratio in rows:
        figure = seconds if name.startswith("RSS") else seconds * 1000
        print(f"{name:44} {figure:10.2f}  {ratio}")
    print(json.dumps({name: ratio for name, _, ratio in rows}), file=sys.stderr)


if __name__ == "__main__":
    main()
