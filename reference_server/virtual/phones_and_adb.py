"""Virtual phones driven through a real adb server of our own, on a port of our own."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import adbutils

from ..orphan_sweep import LAB_ENV
from .phone import VirtualPhone
from .ports import VirtualPortError

__all__ = ["VirtualLab", "VirtualPortError", "free_port"]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class VirtualLab:
    """Virtual phones and a private adb server connected to each of them.

    The adb server is the binary adbutils ships, on a port of its own; :meth:`stop` ends both.
    """

    def __init__(
        self, count: int, *, adb_port: int | None = None, first_port: int | None = None
    ) -> None:
        self.adb_port = adb_port or free_port()
        self.adb_path = adbutils.adb_path()
        self.phones: list[VirtualPhone] = []
        try:
            for i in range(count):
                port = 0 if first_port is None else first_port + i
                self.phones.append(VirtualPhone(f"phone{i + 1}", port=port))
        except OSError as error:
            for phone in self.phones:
                phone.stop()
            raise VirtualPortError(
                f"virtual phone {i + 1} cannot listen on 127.0.0.1:{port} "
                f"({os.strerror(error.errno) if error.errno else error}): pick another first "
                "port with --virtual-port"
            ) from None
        self.client = adbutils.AdbClient(host="127.0.0.1", port=self.adb_port)

    def _adb(self, *args: str, timeout: float = 30) -> str:
        # The adb server this starts inherits the mark: a later server ends it if this dies.
        # ADB_LIBUSB=0: the lab's server reaches its phones over TCP only, and with libusb
        # (adb's default on Linux) it answers nothing until its USB scan gives up, 3 s later
        # on a machine without USB access.
        env = {**os.environ, LAB_ENV: str(os.getpid()), "ADB_LIBUSB": "0"}
        result = subprocess.run(
            [self.adb_path, "-P", str(self.adb_port), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
        )
        return result.stdout + result.stderr

    def start(self) -> VirtualLab:
        """Start the adb server and the phones, and wait until adb lists each as a device."""
        self._adb("start-server")
        for phone in self.phones:
            phone.start()
            self.connect(phone)
        return self

    def connect(self, phone: VirtualPhone, timeout: float = 20) -> None:
        """``adb connect`` a phone and wait until it is online."""
        deadline = time.monotonic() + timeout
        while True:
            self._adb("connect", phone.serial)
            states = {info.serial: info.state for info in self.client.list()}
            if states.get(phone.serial) == "device":
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"adb never saw {phone.serial} online: {states}")
            time.sleep(0.2)

    def how_to_reach(self) -> list[str]:
        """What the banner says of the phones: each serial with the adb command that reaches it.

        A last line says how the user's own adb server reaches them.
        """
        lines = [
            f"{phone.serial}  adb -P {self.adb_port} -s {phone.serial} shell"
            for phone in self.phones
        ]
        if self.phones:
            lines.append("(your own adb reaches them too: adb connect SERIAL)")
        return lines

    def stop(self) -> None:
        """Kill the adb server and stop the phones."""
        try:
            self._adb("kill-server", timeout=15)
        finally:
            for phone in self.phones:
                phone.stop()
