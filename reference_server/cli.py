"""``tikmatrix-server``: serve the reference server with waitress until Ctrl+C."""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import sys
from collections.abc import Sequence
from typing import Any

from tikmatrix_sdk._contract.plans import PLANS, plan_named
from tikmatrix_sdk._shared.process_tree import on_stop_signals

from .app import DEFAULT_PORT, ServerConfig, create_app, default_db_path
from .domain.fleet import DEVICE_PREFIX
from .domain.store_file import StoreError
from .http.serving import make_server
from .state import loopback_url
from .virtual.ports import VirtualPortError

__all__ = ["DEFAULT_THREADS", "MAX_THREADS", "build_parser", "main", "parse_args", "settle_heap"]

#: How many requests the server works on at once by default: enough for a client with 50
#: calls in flight, or a test suite on several workers, while a slow request (an injected
#: latency, a device call) waits; an idle keep-alive connection holds no thread.
DEFAULT_THREADS, MAX_THREADS = 64, 512

log = logging.getLogger("reference_server")


def _plan(text: str) -> str:
    """A plan's name, whatever its case (``starter`` is Starter)."""
    found = plan_named(text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"one of {', '.join(PLANS)} (any case), not {text!r}")
    return found


def _device_prefix(text: str) -> str:
    if not DEVICE_PREFIX.fullmatch(text):
        raise argparse.ArgumentTypeError(f"up to 16 of a-z, 0-9 and _, not {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The options of ``tikmatrix-server``."""
    parser = argparse.ArgumentParser(
        prog="tikmatrix-server",
        description="A reference implementation of the TikMatrix Local API, for testing.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 50809)")
    parser.add_argument(
        "--db",
        default=None,
        help='SQLite file, or ":memory:" (default: tasks.sqlite3 in your user data directory)',
    )
    parser.add_argument(
        "--plan",
        type=_plan,
        metavar="{" + ",".join(PLANS) + "}",
        help="license plan, any case (default: stored, or Pro)",
    )
    parser.add_argument(
        "--devices", type=int, default=5, help="simulated devices seeded into an empty store (5)"
    )
    parser.add_argument(
        "--device-prefix",
        type=_device_prefix,
        default=None,
        help="a prefix (up to 16 of a-z, 0-9 and _) for every simulated serial and account "
        "name, so that several servers hold distinct ones, as several PCs do",
    )
    parser.add_argument(
        "--allow-host", action="append", default=[], help="another Host name to accept"
    )
    parser.add_argument("--adb", action="store_true", help="drive the phones attached to adb")
    parser.add_argument("--adb-port", type=int, default=5037, help="adb server port (5037)")
    parser.add_argument(
        "--virtual-devices",
        type=int,
        default=0,
        metavar="N",
        help="start N virtual phones and drive them through a private adb server",
    )
    parser.add_argument(
        "--virtual-port",
        type=int,
        default=None,
        metavar="PORT",
        help="the first virtual phone's loopback port, the next phones' following it, so that "
        "their serials (127.0.0.1:PORT) stay the same from one start to the next "
        "(default: free ports)",
    )
    parser.add_argument(
        "--allow-custom-scripts",
        action="store_true",
        help="let the control API register commands that tasks run on this machine, as your "
        "user (managed custom scripts; off by default)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"requests served at once: waitress worker threads ({DEFAULT_THREADS}, 1 to "
        f"{MAX_THREADS}); a client with 50 calls in flight is served 50 at a time",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, checked."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db is None:
        args.db = str(default_db_path())
    if not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")
    if not 1 <= args.threads <= MAX_THREADS:
        parser.error(f"--threads must be from 1 to {MAX_THREADS}")
    if args.devices < 0 or args.virtual_devices < 0:
        parser.error("--devices and --virtual-devices must be >= 0")
    if args.adb and args.virtual_devices:
        parser.error("--adb and --virtual-devices do not go together")
    if args.virtual_port is not None:
        if not args.virtual_devices:
            parser.error("--virtual-port needs --virtual-devices")
        if not 1024 <= args.virtual_port <= 65536 - args.virtual_devices:
            parser.error(
                f"--virtual-port must be from 1024 to {65536 - args.virtual_devices}, so that "
                f"the {args.virtual_devices} phone(s) fit below port 65536"
            )
    return args


def _stop_on_signals() -> None:
    """Ctrl+C, SIGTERM (and Ctrl+Break on Windows) stop the server, also in the background."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    on_stop_signals(handler)


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    """Why the server cannot listen, in one line that says what to do."""
    if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
        return (
            f"port {port} on {host} is taken (by TikMatrix itself, or another server?): "
            "pick another with --port"
        )
    if error.errno in (errno.EACCES, getattr(errno, "WSAEACCES", -1)):
        return f"port {port} on {host} may not be used by this user: pick another with --port"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def settle_heap() -> None:
    """Collect once, then leave what the server has built out of every later collection.

    The modules, the app and the store live as long as the server: without this, each full
    collection walks them again, and it pauses every thread meanwhile (up to 18 ms in
    ``bench/runner_bench.py``, where frozen it takes 2.5 ms). Only for a process that
    serves until it ends: frozen objects are never freed.
    """
    gc.collect()
    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until Ctrl+C or SIGTERM, then stop the runner and close the store."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("waitress").setLevel(logging.WARNING)
    try:
        app = create_app(
            ServerConfig(
                db=args.db,
                plan=args.plan,
                devices=args.devices,
                allowed_hosts=tuple(args.allow_host),
                adb=args.adb,
                adb_port=args.adb_port,
                virtual_devices=args.virtual_devices,
                virtual_port=args.virtual_port,
                custom_scripts=args.allow_custom_scripts,
                device_prefix=args.device_prefix or "",
            )
        )
    except (StoreError, VirtualPortError) as error:
        print(f"tikmatrix-server: {error}", file=sys.stderr)
        return 2
    try:
        server = make_server(app, host=args.host, port=args.port, threads=args.threads)
    except OSError as error:
        app.extensions["tikmatrix_close"]()
        print(f"tikmatrix-server: {_cannot_listen(args.host, args.port, error)}", file=sys.stderr)
        return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    app.extensions["tikmatrix"].serving_at(f"http://{host}:{server.effective_port}")
    kind = (
        f"{args.virtual_devices} virtual phone(s)"
        if args.virtual_devices
        else f"the phones on adb (port {args.adb_port})"
        if args.adb
        else "simulated devices"
    )
    url = f"http://{host}:{server.effective_port}"
    print(f"TikMatrix reference server on {url}/api/v1", flush=True)
    print(f"  devices: {kind}", flush=True)
    lab = app.extensions["tikmatrix"].source.lab
    for line in lab.how_to_reach() if lab is not None else ():
        print(f"    {line}", flush=True)
    print(f"  task store: {args.db}", flush=True)
    print(f"  dashboard: {loopback_url(url)}/ (open it in a browser)", flush=True)
    print(f"  API document: {url}/api/v1/openapi.json", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    log.info("serving on %s (devices: %s; store: %s)", url, kind, args.db)
    settle_heap()
    _stop_on_signals()
    try:
        server.run()  # waitress returns (closing its sockets) on KeyboardInterrupt
    except KeyboardInterrupt:  # pragma: no cover - raised between waitress's own checks
        pass
    finally:
        log.info("stopping")
        server.close()
        app.extensions["tikmatrix_close"]()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
