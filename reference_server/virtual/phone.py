"""A virtual Android phone: a simulated phone behind an ADB daemon on a loopback port.

Its insides (storage, apps, screens, shell commands) are an
:class:`~reference_server.android.system.AndroidSystem`; this module adds the transport: the
ADB services (``shell:``, ``sync:``, ``tcp:``) and the uiautomator2 server on port 9008, once
launched the way uiautomator2 launches it.
"""

from __future__ import annotations

import errno
import io
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..android.app_commands import MAX_SESSION_BYTES
from ..android.logcat import LogcatOptions, parse_logcat, render
from ..android.sh import Done, Emit
from ..android.shell import ShellSyntaxError, parse
from ..android.system import AndroidSystem
from .adbd import AdbDaemon, Stream
from .u2_service import serve_http

__all__ = ["VirtualPhone"]

U2_PORT = 9008


def _mode(file: Path) -> int:
    """The mode the sync service gives a file: a directory's or a regular file's."""
    return 0o40755 if file.is_dir() else 0o100644


class VirtualPhone(AndroidSystem):
    """One virtual phone; :meth:`start` puts it on a loopback port for ``adb connect``."""

    def __init__(
        self, name: str, *, apps: tuple[str, ...] = ("tiktok", "instagram"), port: int = 0
    ) -> None:
        super().__init__(name, apps=apps)
        self.offline = False
        self.u2_running = threading.Event()
        #: Reverse forwards (``adb reverse``): the phone's socket, and the host's it leads to.
        self.reverses: dict[str, str] = {}
        try:
            self.daemon = AdbDaemon(self, port=port)
        except OSError:
            self.close()  # its sandbox goes with it
            raise
        self.serial = self.daemon.address

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> VirtualPhone:
        """Listen for adb."""
        self.daemon.start()
        return self

    def disconnect(self) -> None:
        """Pull the cable: drop every adb connection and refuse new ones until reconnected."""
        self.offline = True
        self.u2_running.clear()
        self.daemon.drop_connections()

    def reconnect(self) -> None:
        """Plug the cable back in."""
        self.offline = False

    def stop(self) -> None:
        """Stop listening and remove the sandbox."""
        self.u2_running.clear()
        self.daemon.stop()
        self.close()

    # -- the ADB side ------------------------------------------------------------------------

    def banner(self) -> str:
        """The identity sent to adb: the product properties the phone's ``getprop`` gives."""
        properties = {
            name: self.props[name]
            for name in ("ro.product.name", "ro.product.model", "ro.product.device")
        }
        features = "cmd,shell_v2,stat_v2,ls_v2"
        return (
            "device::"
            + "".join(f"{k}={v};" for k, v in properties.items())
            + f"features={features}"
        )

    def open_service(self, name: str) -> Callable[[Stream], None] | None:
        """The handler of an adb service."""
        if name.startswith("shell:"):
            return lambda stream: self._shell(stream, name[len("shell:") :])
        if name.startswith("exec:"):  # no terminal: adb exec-out, and adb install's stream
            return lambda stream: self._exec(stream, name[len("exec:") :])
        if name.startswith("shell,"):  # shell,v2[,options]:line: the protocol with exit codes
            options, _, line = name.partition(":")
            if "v2" in options.split(","):
                return lambda stream: self._shell_v2(stream, line)
        if name == "sync:":
            return self._sync
        if name == "framebuffer:":
            return self._framebuffer
        if name.startswith("reverse:"):
            return lambda stream: self._reverse(stream, name[len("reverse:") :])
        if name in ("root:", "unroot:"):  # a production build: adbd stays as it is
            said = (
                "adbd cannot run as root in production builds\n"
                if name == "root:"
                else "adbd not running as root\n"
            )
            return lambda stream: _say(stream, said)
        if name.startswith("tcpip:"):
            port = name[len("tcpip:") :]
            if not (port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) < 65536):
                return lambda stream: _say(stream, f"invalid port: {port}\n")
            # This phone already answers over TCP, on its own port: what adbd says is all.
            return lambda stream: _say(stream, f"restarting in TCP mode port: {port}\n")
        if name == "usb:":
            return lambda stream: _say(stream, "restarting in USB mode\n")
        if name == f"tcp:{U2_PORT}":
            # Nothing listening yet: the stream opens and closes at once, as adbd does when
            # its connect to the port fails.
            if not self.u2_running.is_set():
                return lambda stream: None
            return lambda stream: serve_http(self.ui, stream.read, stream.write)
        return None

    def _framebuffer(self, stream: Stream) -> None:
        """The screen as raw RGBA after the framebuffer header (version 1, 32 bits a pixel)."""
        from PIL import Image

        from ..android.render import render_png

        image = Image.open(io.BytesIO(render_png(self.ui))).convert("RGBA")
        width, height = image.size
        # version, bpp, size, width, height, then offset and length of red, blue, green, alpha
        header = struct.pack(
            "<13I", 1, 32, width * height * 4, width, height, 0, 8, 16, 8, 8, 8, 24, 8
        )
        stream.write(header + image.tobytes("raw", "RGBA"))

    def _reverse(self, stream: Stream, request: str) -> None:
        """Reverse forwarding (phone port to host port): kept, listed and removed as adbd does."""
        if request.startswith("forward:"):
            spec = request[len("forward:") :].removeprefix("norebind:")
            remote, _, local = spec.partition(";")
            if not remote.startswith(("tcp:", "localabstract:")) or not local:
                stream.write(self._status(f"cannot bind listener: {spec}"))
                return
            self.reverses[remote] = local
            stream.write(b"OKAY")
        elif request == "list-forward":
            lines = (f"(reverse) {phone} {host}\n" for phone, host in self.reverses.items())
            listing = "".join(lines).encode()
            stream.write(f"{len(listing):04x}".encode() + listing)
        elif request == "killforward-all":
            self.reverses.clear()
            stream.write(b"OKAY")
        elif request.startswith("killforward:"):
            found = self.reverses.pop(request[len("killforward:") :], None)
            stream.write(b"OKAY" if found else self._status(f"listener '{request}' not found"))
        else:
            stream.write(self._status(f"unknown reverse request {request!r}"))

    @staticmethod
    def _status(message: str) -> bytes:
        data = message.encode()
        return b"FAIL" + f"{len(data):04x}".encode() + data

    # -- shell -------------------------------------------------------------------------------

    def _shell(self, stream: Stream, line: str) -> None:
        try:
            commands = parse(line)[0]
        except ShellSyntaxError:
            commands = []
        options = self._follows_log(commands[0]) if len(commands) == 1 else None
        if options is not None:
            with self._lock:
                self.commands.append(line)
            entries, seen = self.log.since(0)
            stream.write(render(entries, options).encode())
            # Without -d, logcat follows the log until the host hangs up; a phone's log is
            # never quiet for long, and readers count on that (adbutils checks for a stop
            # between lines), so the system's own chatter comes every quarter second.
            while not stream.closed:
                time.sleep(0.25)
                self._log("SystemServer", "heartbeat")
                fresh, seen = self.log.since(seen)
                if not stream.write(render(fresh, options).encode()):
                    break
            return
        for argv in commands:
            if self._launch_u2(argv[:-1] if argv[-1:] == ["&"] else argv):
                with self._lock:
                    self.commands.append(line)
                self._serve_u2(stream, [word for word in argv if "=" not in word or word[0] == "-"])
                return
        self.execute_line(line, read_line=_line_reader(stream), emit=_terminal(stream))

    def _exec(self, stream: Stream, line: str) -> None:
        """A command with no terminal: its output as it is (``adb exec-out screencap -p``).

        An install that names its size (``cmd package install -S N``, ``install-write -S N
        SESSION NAME -``) first reads its APK, ``N`` bytes, from the stream, as ``adb
        install`` streams it; a size past what a session holds is refused unread.
        """
        try:
            commands = parse(line)[0]
        except ShellSyntaxError:
            commands = []
        size = _streamed_size(commands[0]) if len(commands) == 1 else None
        if size is None:
            stream.write(self.execute_line(line).combined)
            return
        with self._lock:
            self.commands.append(line)
        if not 0 <= size <= MAX_SESSION_BYTES:
            stream.write(b"Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE]\n")
            return
        done = self.run_tool(commands[0], stream.read_exactly(size), {})
        stream.write(done.combined)

    def _shell_v2(self, stream: Stream, line: str) -> None:
        """Shell protocol v2: stdout (id 1) and stderr (id 2) apart, then the exit code (3).

        What each part of the line prints is sent as soon as it is done.
        """
        done = self.execute_line(line, emit=_terminal(stream, v2=True))
        stream.write(struct.pack("<BIB", 3, 1, done.status & 0xFF))

    @staticmethod
    def _follows_log(argv: list[str]) -> LogcatOptions | None:
        """The options of a ``logcat`` that follows the log (no ``-d``, ``-c`` or ``-t``)."""
        if argv[:1] != ["logcat"]:
            return None
        options = parse_logcat(argv[1:])
        if isinstance(options, str) or options.dump or options.clear:
            return None
        return options

    def _serve_u2(self, stream: Stream, command: list[str]) -> None:
        """The uiautomator2 server: a process of the phone while its shell stays open.

        The host hanging up ends it, and so does a signal (``kill PID``), which closes its
        shell connection as the process's end does on a phone.
        """
        server = self.processes.spawn(command, on_signal=lambda number: stream.close())
        self.u2_running.set()
        try:
            stream.write(b"[server] INFO: [UiAutomator2Server] Starting Server\n")
            while stream.read():  # runs until the host closes the shell, or a kill
                pass
        finally:
            self.u2_running.clear()
            self.processes.end(server)

    def _launch_u2(self, argv: list[str]) -> bool:
        words = [word for word in argv if "=" not in word or word.startswith("-")]
        server = "app_process" in words and any("uia2" in w or "uiautomator" in w for w in words)
        return bool(server and (self.root / "data/local/tmp/u2.jar").exists())

    # -- sync --------------------------------------------------------------------------------

    def _sync(self, stream: Stream) -> None:
        """The file service: each request is 4 bytes of id, a 32-bit length and a path.

        ``STAT``/``LIST`` are the first forms; ``STA2``/``LST2`` (stat, without and with
        following a link) and ``LIS2`` (list) the second, which answer every field of
        ``stat`` and an errno instead of zeros: the adb client uses them when the phone
        names the ``stat_v2`` and ``ls_v2`` features, as this one does.
        """
        while True:
            header = stream.read_exactly(8)
            if len(header) < 8:
                return
            request, length = header[:4], struct.unpack("<I", header[4:])[0]
            if request == b"QUIT":
                return
            argument = stream.read_exactly(length).decode("utf-8", "replace")
            if request == b"STAT":
                self._stat(stream, argument)
            elif request in (b"STA2", b"LST2"):
                stream.write(request + self._stat_v2(self.path(argument)))
            elif request == b"SEND":
                self._receive_file(stream, argument)
            elif request == b"RECV":
                self._send_file(stream, argument)
            elif request == b"LIST":
                self._list(stream, argument)
            elif request == b"LIS2":
                self._list_v2(stream, argument)
            else:
                stream.write(self._fail(f"unknown sync request {request!r}"))
                return

    @staticmethod
    def _stat_v2(file: Path) -> bytes:
        """What follows the id of a v2 stat or entry: errno, then the fields of ``stat``."""
        try:
            info = file.stat()
        except OSError as error:
            return struct.pack("<I", error.errno or errno.ENOENT) + bytes(64)
        mode = _mode(file)
        return struct.pack(
            "<IQQIIIIQqqq",
            0,  # errno
            info.st_dev,
            info.st_ino,
            mode,
            info.st_nlink,
            0,  # uid: root
            1015,  # gid: sdcard_rw
            info.st_size,
            int(info.st_atime),
            int(info.st_mtime),
            int(info.st_ctime),
        )

    def _list_v2(self, stream: Stream, name: str) -> None:
        folder = self.path(name)
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                encoded = entry.name.encode()
                stream.write(
                    b"DNT2" + self._stat_v2(entry) + struct.pack("<I", len(encoded)) + encoded
                )
        stream.write(b"DONE" + bytes(72))

    @staticmethod
    def _fail(message: str) -> bytes:
        data = message.encode()
        return b"FAIL" + struct.pack("<I", len(data)) + data

    def _stat(self, stream: Stream, name: str) -> None:
        file = self.path(name)
        if not file.exists():
            stream.write(b"STAT" + struct.pack("<III", 0, 0, 0))
            return
        info = file.stat()
        mode = _mode(file)
        stream.write(
            b"STAT" + struct.pack("<III", mode, info.st_size & 0xFFFFFFFF, int(info.st_mtime))
        )

    def _receive_file(self, stream: Stream, argument: str) -> None:
        name = argument.rsplit(",", 1)[0]
        data = bytearray()
        while True:
            header = stream.read_exactly(8)
            if len(header) < 8:
                return
            kind, length = header[:4], struct.unpack("<I", header[4:])[0]
            if kind == b"DATA":
                data += stream.read_exactly(length)
            elif kind == b"DONE":
                break
            else:
                stream.write(self._fail("bad SEND stream"))
                return
        target = self.path(name)
        if target.is_dir():
            stream.write(self._fail(f"{name}: is a directory"))
            return
        if not self.has_room(len(data)):
            stream.write(self._fail(f"{name}: No space left on device"))
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(data))
        with self._lock:
            self.commands.append(f"sync:SEND {name} ({len(data)} bytes)")
        stream.write(b"OKAY" + struct.pack("<I", 0))

    def _send_file(self, stream: Stream, name: str) -> None:
        file = self.path(name)
        if not file.is_file():
            stream.write(self._fail(f"{name}: No such file or directory"))
            return
        data = file.read_bytes()
        for start in range(0, len(data), 64 * 1024):
            chunk = data[start : start + 64 * 1024]
            stream.write(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
        stream.write(b"DONE" + struct.pack("<I", 0))

    def _list(self, stream: Stream, name: str) -> None:
        folder = self.path(name)
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                info = entry.stat()
                mode = _mode(entry)
                encoded = entry.name.encode()
                stream.write(
                    b"DENT"
                    + struct.pack(
                        "<IIII", mode, info.st_size & 0xFFFFFFFF, int(info.st_mtime), len(encoded)
                    )
                    + encoded
                )
        stream.write(b"DONE" + struct.pack("<IIII", 0, 0, 0, 0))


def _line_reader(stream: Stream) -> Callable[[], bytes | None]:
    """What ``read`` reads in a shell: the lines the host sends after the command line."""
    pending = bytearray()

    def read_line() -> bytes | None:
        while b"\n" not in pending:
            chunk = stream.read()
            if not chunk:  # the host closed its side: what is left is the last line
                if not pending:
                    return None
                line = bytes(pending)
                pending.clear()
                return line
            pending.extend(chunk)
        line, _, rest = bytes(pending).partition(b"\n")
        pending[:] = rest
        return line

    return read_line


def _streamed_size(argv: list[str]) -> int | None:
    """The size of the APK an install command reads from its input, if it does (``-S N``)."""
    words = argv[2:] if argv[:2] == ["cmd", "package"] else argv[1:] if argv[:1] == ["pm"] else []
    if not words or words[0] not in ("install", "install-write") or "-S" not in words[:-1]:
        return None
    if words[0] == "install-write" and words[-1] != "-":
        return None  # it reads a file on the phone, not the stream
    if words[0] == "install" and words[-1].endswith(".apk"):
        return None  # an APK path on the phone: pm install reads the file
    size = words[words.index("-S") + 1]
    return int(size) if size.isascii() and size.isdigit() and len(size) <= 12 else -1


def _terminal(stream: Stream, *, v2: bool = False) -> Emit:
    """A shell session's output on its stream: written whole by one thread at a time.

    Protocol v1 has one stream for both; v2 frames output (id 1) and errors (id 2) apart.
    """
    lock = threading.Lock()

    def emit(done: Done) -> None:
        with lock:
            if not v2:
                stream.write(done.combined)
                return
            for kind, data in ((1, done.out), (2, done.err)):
                for start in range(0, len(data), 64 * 1024):
                    chunk = data[start : start + 64 * 1024]
                    stream.write(struct.pack("<BI", kind, len(chunk)) + chunk)

    return emit


def _say(stream: Stream, text: str) -> None:
    """An adbd service that only answers a line (``root:``, ``tcpip:``), then closes."""
    stream.write(text.encode())
