"""How to build a reference server: :class:`ServerConfig` and its defaults."""

from __future__ import annotations

from pathlib import Path

import attrs
import platformdirs

from .clock import Clock, SystemClock
from .domain.fleet import DEVICE_PREFIX, DeviceSource

__all__ = ["DEFAULT_PORT", "ServerConfig", "default_db_path"]

DEFAULT_PORT = 50809


def default_db_path() -> Path:
    """Where the task store lives unless told otherwise: the user's data directory."""
    return Path(platformdirs.user_data_dir("tikmatrix-reference-server", appauthor=False)) / (
        "tasks.sqlite3"
    )


def check_device_prefix(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    """A device prefix is up to 16 of ``a-z``, ``0-9`` and ``_``."""
    if not isinstance(value, str) or not DEVICE_PREFIX.fullmatch(value):
        raise ValueError(f"{attribute.name} must be up to 16 of a-z, 0-9 and _, got {value!r}")


@attrs.frozen(kw_only=True)
class ServerConfig:
    """How to build a reference server.

    ``db`` is a file path or ``":memory:"``; ``plan`` overrides the stored plan; ``devices``
    is the size of the simulated fleet seeded into an empty store; ``run_scheduler`` starts the
    background scheduler (tests may leave it off and call ``runner.run_until_idle()``);
    ``allowed_hosts`` adds names to the loopback ones the ``Host`` check accepts;
    ``custom_scripts`` lets the control API register commands that tasks run on the host, as
    the server's user (off unless asked for: ``--allow-custom-scripts``); ``device_prefix``
    begins every simulated serial and account name (``pc2_``: ``pc2_device_serial_1``,
    ``@pc2_user1``), so that several servers, like several TikMatrix PCs, hold distinct ones.
    ``virtual_port`` is the first virtual phone's loopback port (the next phones take the
    ports after it), so that their serials stay the same from one start to the next; by
    default each takes a free port.
    """

    db: str | Path = attrs.field(factory=default_db_path)
    plan: str | None = None
    devices: int = 5
    clock: Clock = attrs.field(factory=SystemClock)
    run_scheduler: bool = True
    poll_interval: float = 0.2
    allowed_hosts: tuple[str, ...] = ()
    seed: int | None = None
    adb: bool = False
    adb_port: int = 5037
    virtual_devices: int = 0
    virtual_port: int | None = None
    element_timeout: float = 10.0
    custom_scripts: bool = False
    device_prefix: str = attrs.field(default="", validator=check_device_prefix)

    def device_source(self) -> DeviceSource:
        """Simulated devices, attached phones (``adb``), or virtual phones."""
        if self.virtual_devices:
            kind, count = "virtual", self.virtual_devices
        else:
            kind, count = ("adb" if self.adb else "simulated"), self.devices
        return DeviceSource(
            kind=kind,
            count=count,
            adb_port=self.adb_port,
            virtual_port=self.virtual_port,
            element_timeout=self.element_timeout,
            prefix=self.device_prefix,
        )
