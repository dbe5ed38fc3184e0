"""A device-side ADB daemon over TCP: the real ``adb`` server connects to it like to a phone.

It speaks the ADB transport protocol (24-byte headers; CNXN, OPEN, OKAY, WRTE, CLSE) and the
services the runner needs: ``shell:`` (legacy, no pty), ``sync:`` (STAT, SEND, RECV, LIST,
QUIT) and ``tcp:PORT`` streams to services inside the phone. What each service does is the
phone's business (:class:`Phone`); this module only carries bytes.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
from collections.abc import Callable
from typing import Protocol

__all__ = ["AdbDaemon", "Phone", "Stream"]

log = logging.getLogger(__name__)

A_CNXN = int.from_bytes(b"CNXN", "little")
A_OPEN = int.from_bytes(b"OPEN", "little")
A_OKAY = int.from_bytes(b"OKAY", "little")
A_WRTE = int.from_bytes(b"WRTE", "little")
A_CLSE = int.from_bytes(b"CLSE", "little")
A_AUTH = int.from_bytes(b"AUTH", "little")
A_VERSION = 0x01000001
MAX_PAYLOAD = 256 * 1024
_HEADER = struct.Struct("<6I")


class Stream:
    """One ADB stream: bytes in from the host, bytes out with flow control."""

    def __init__(self, daemon_link: _Link, local_id: int, remote_id: int) -> None:
        self._link = daemon_link
        self.local_id = local_id
        self.remote_id = remote_id
        self._buffer = bytearray()
        self._readable = threading.Condition()
        self._acked = threading.Event()
        self._acked.set()
        self.closed = False

    # -- called by the link ------------------------------------------------------------------

    def _received(self, data: bytes) -> None:
        with self._readable:
            self._buffer += data
            self._readable.notify_all()

    def _okay(self) -> None:
        self._acked.set()

    def _remote_closed(self) -> None:
        with self._readable:
            self.closed = True
            self._readable.notify_all()
        self._acked.set()

    # -- used by services --------------------------------------------------------------------

    def read(self, size: int = 65536) -> bytes:
        """Up to ``size`` bytes; ``b""`` once the host closed the stream and all was read."""
        with self._readable:
            while not self._buffer and not self.closed:
                self._readable.wait()
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
            return data

    def read_exactly(self, size: int) -> bytes:
        """Exactly ``size`` bytes, or fewer if the stream closed first."""
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self.read(size - len(chunks))
            if not chunk:
                break
            chunks += chunk
        return bytes(chunks)

    def write(self, data: bytes) -> bool:
        """Send ``data`` (waiting for the host's OKAY after each packet); False if closed."""
        for start in range(0, len(data), self._link.max_payload):
            self._acked.wait()
            if self.closed or self._link.broken:
                return False
            self._acked.clear()
            self._link.send(
                A_WRTE, self.local_id, self.remote_id, data[start : start + self._link.max_payload]
            )
        return True

    def close(self) -> None:
        """Close our end (the host answers with its own CLSE)."""
        if not self.closed:
            self._acked.wait(5)
            self.closed = True
            self._link.send(A_CLSE, self.local_id, self.remote_id)
            self._link.forget(self.local_id)
            with self._readable:  # a reader waiting on this stream sees it closed
                self._readable.notify_all()


class Phone(Protocol):
    """What the daemon asks of the phone behind it."""

    serial: str

    def banner(self) -> str:
        """The ``device::`` identity sent in CNXN."""

    def open_service(self, name: str) -> Callable[[Stream], None] | None:
        """The handler of a service (``shell:ls``, ``sync:``, ``tcp:9008`` …), or None."""


class _Link:
    """One host connection: reads packets, routes them to streams, serialises writes."""

    def __init__(
        self, sock: socket.socket, phone: Phone, on_close: Callable[[_Link], None]
    ) -> None:
        self.sock = sock
        self.phone = phone
        self.max_payload = MAX_PAYLOAD
        self.broken = False
        self._send_lock = threading.Lock()
        self._streams: dict[int, Stream] = {}
        self._next_id = 1
        self._lock = threading.Lock()
        self._on_close = on_close

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        header = _HEADER.pack(
            command, arg0, arg1, len(data), sum(data) & 0xFFFFFFFF, command ^ 0xFFFFFFFF
        )
        try:
            with self._send_lock:
                self.sock.sendall(header + data)
        except OSError:
            self.broken = True

    def forget(self, local_id: int) -> None:
        with self._lock:
            self._streams.pop(local_id, None)

    def _recv_exactly(self, size: int) -> bytes | None:
        data = bytearray()
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return bytes(data)

    def serve(self) -> None:
        try:
            while True:
                header = self._recv_exactly(_HEADER.size)
                if header is None:
                    break
                command, arg0, arg1, length, _, magic = _HEADER.unpack(header)
                if magic != command ^ 0xFFFFFFFF:
                    break
                payload = self._recv_exactly(length) if length else b""
                if payload is None:
                    break
                self._dispatch(command, arg0, arg1, payload)
        except OSError:
            pass
        finally:
            self.broken = True
            with self._lock:
                streams = list(self._streams.values())
                self._streams.clear()
            for stream in streams:
                stream._remote_closed()
            self.sock.close()
            self._on_close(self)

    def _dispatch(self, command: int, arg0: int, arg1: int, payload: bytes) -> None:
        if command == A_CNXN:
            self.max_payload = max(4096, min(arg1, MAX_PAYLOAD))
            self.send(A_CNXN, A_VERSION, MAX_PAYLOAD, self.phone.banner().encode())
        elif command == A_OPEN:
            self._open(arg0, payload.rstrip(b"\x00").decode("utf-8", "replace"))
        else:
            with self._lock:
                stream = self._streams.get(arg1)
            if stream is None:
                if command == A_WRTE:
                    self.send(A_CLSE, 0, arg0)
                return
            if command == A_WRTE:
                stream._received(payload)
                self.send(A_OKAY, stream.local_id, stream.remote_id)
            elif command == A_OKAY:
                stream._okay()
            elif command == A_CLSE:
                stream._remote_closed()
                self.forget(stream.local_id)

    def _open(self, remote_id: int, service: str) -> None:
        handler = self.phone.open_service(service)
        if handler is None:
            self.send(A_CLSE, 0, remote_id)
            return
        with self._lock:
            local_id = self._next_id
            self._next_id += 1
            stream = Stream(self, local_id, remote_id)
            self._streams[local_id] = stream
        self.send(A_OKAY, local_id, remote_id)

        def run() -> None:
            try:
                handler(stream)
            except Exception:  # pragma: no cover - a service bug must not kill the link
                log.exception("service %r failed", service)
            finally:
                stream.close()

        threading.Thread(target=run, name=f"adbd-{service[:20]}", daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class AdbDaemon:
    """Listens on a loopback port and serves one phone to every host that connects."""

    def __init__(self, phone: Phone, host: str = "127.0.0.1", port: int = 0) -> None:
        self.phone = phone
        self._listener = socket.create_server((host, port))
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self._links: set[_Link] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name=f"adbd-{self.port}", daemon=True)
        self._stopped = False

    @property
    def address(self) -> str:
        """``host:port``, what ``adb connect`` takes."""
        return f"{self.host}:{self.port}"

    def start(self) -> AdbDaemon:
        """Start accepting connections."""
        self._thread.start()
        return self

    def _accept(self) -> None:
        while True:  # until stop() wakes it
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            if self._stopped:  # the wake-up of stop(), or a host just too late: not served
                sock.close()
                return
            if getattr(self.phone, "offline", False):
                sock.close()
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(sock, self.phone, self._closed)
            with self._lock:
                self._links.add(link)
            threading.Thread(target=link.serve, name="adbd-link", daemon=True).start()

    def _closed(self, link: _Link) -> None:
        with self._lock:
            self._links.discard(link)

    def drop_connections(self) -> None:
        """Cut every host connection (the phone "disconnects"); new ones are still accepted."""
        with self._lock:
            links = list(self._links)
        for link in links:
            link.close()

    def stop(self) -> None:
        """Stop listening and cut every connection.

        The accepting thread is woken and waited for before the listening socket is closed.
        Closed under a thread blocked in ``accept``, the socket's descriptor number is free
        for the next socket opened (often the next phone's listener), and a signal to the
        blocked thread restarts its ``accept`` on that number: the stopped phone would then
        serve the next phone's adb connections, answering as itself.
        """
        self._stopped = True
        with contextlib.suppress(OSError):  # wakes a blocked accept on Linux
            self._listener.shutdown(socket.SHUT_RDWR)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            with contextlib.suppress(OSError):  # elsewhere a connection of its own wakes it
                socket.create_connection((self.host, self.port), timeout=1).close()
            self._thread.join(5)
        self._listener.close()
        self.drop_connections()
