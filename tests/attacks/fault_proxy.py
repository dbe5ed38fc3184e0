"""A loopback HTTP proxy that mistreats answers on request: the network faults clients meet.

Each connection carries one request. The proxy reads it, and by the next queued :class:`Fault`
(``pass`` once the queue is empty) forwards it or not, and hands the answer back whole, late,
cut short, not at all, or as a TCP reset. It counts the requests that reached the server, so
a test can tell whether a request was sent twice.
"""

from __future__ import annotations

import collections
import enum
import socket
import struct
import threading
import time
from types import TracebackType

__all__ = ["Fault", "FaultProxy"]


class Fault(enum.Enum):
    """What the proxy does with one request."""

    PASS = "pass"
    DROP_BEFORE = "drop_before"  # close without forwarding: the server never sees it
    DROP_AFTER = "drop_after"  # forward, throw the answer away, close
    RESET = "reset"  # forward, then reset the connection instead of answering
    TRUNCATE = "truncate"  # forward, send half the answer, close
    DELAY = "delay"  # forward, wait, then answer


def _read_message(sock: socket.socket) -> bytes:
    """One HTTP message (head and Content-Length body) from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _closing(answer: bytes) -> bytes:
    """The answer with ``Connection: close``, since the proxy closes after each one."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class FaultProxy:
    """Listen on a free loopback port and forward to ``upstream`` (``host``, ``port``)."""

    def __init__(self, upstream: tuple[str, int], *, delay: float = 2.0) -> None:
        self.upstream = upstream
        self.delay = delay
        self.forwarded: list[bytes] = []  # request lines that reached the server
        self._faults: collections.deque[Fault] = collections.deque()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def queue(self, *faults: Fault) -> None:
        """Apply these faults to the next requests, one each, in order."""
        with self._lock:
            self._faults.extend(faults)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._thread.join(10)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _next_fault(self) -> Fault:
        with self._lock:
            return self._faults.popleft() if self._faults else Fault.PASS

    def _handle(self, client: socket.socket) -> None:
        with client:
            request = _read_message(client)
            if not request:
                return
            fault = self._next_fault()
            if fault is Fault.DROP_BEFORE:
                return
            with socket.create_connection(self.upstream, timeout=30) as upstream:
                upstream.sendall(request)
                with self._lock:
                    self.forwarded.append(request.split(b"\r\n", 1)[0])
                answer = _closing(_read_message(upstream))
            if fault is Fault.DROP_AFTER:
                return
            if fault is Fault.RESET:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if fault is Fault.TRUNCATE:
                client.sendall(answer[: len(answer) // 2])
                return
            if fault is Fault.DELAY:
                time.sleep(self.delay)
            try:
                client.sendall(answer)
            except OSError:
                return  # the client gave up waiting
