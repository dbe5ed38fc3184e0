"""The ``Device`` seam: what a script may ask of a phone, whatever kind of phone it is."""

from __future__ import annotations

import abc
import contextlib
import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from ..clock import Clock

__all__ = ["Device", "DeviceError", "RunContext", "TaskCancelled", "UiRpcError"]


class DeviceError(Exception):
    """The device could not do what the script asked; the message becomes the task's remark."""


class UiRpcError(DeviceError):
    """The phone's uiautomator2 server answered a JSON-RPC call with an error."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TaskCancelled(Exception):
    """The task was stopped or deleted while it ran."""


@attrs.frozen(kw_only=True)
class RunContext:
    """What a script knows about the task it runs."""

    task_id: int
    username: str | None
    job_index: int
    clock: Clock
    cancel: threading.Event
    #: The task's own random numbers, when given (``rng=``); else made from ``seed``.
    _random: random.Random | None = attrs.field(default=None, alias="rng")
    #: What :attr:`rng` is seeded with when none was given.
    seed: float = 0.0
    platform: str | None = None

    @property
    def rng(self) -> random.Random:
        """The task's own random numbers, made on first use.

        Most scripts never draw one, and seeding a generator costs more than the rest of a
        short task's context.
        """
        found = self._random
        if found is None:
            found = random.Random(self.seed)
            object.__setattr__(self, "_random", found)
        return found

    def wait(self, seconds: float) -> None:
        """Wait, unless the task is cancelled first."""
        if not self.clock.sleep(seconds, self.cancel):
            raise TaskCancelled

    def check(self) -> None:
        """End the task here if it was stopped (called between steps)."""
        if self.cancel.is_set():
            raise TaskCancelled


class Device(abc.ABC):
    """A phone that runs TikMatrix's scripts: the operations every kind of device offers."""

    kind: str = "device"

    def __init__(self, serial: str) -> None:
        self.serial = serial

    def close(self) -> None:
        """Release what the device holds open (connections, services)."""
        return

    @contextlib.contextmanager
    def running(self, ctx: RunContext) -> Iterator[None]:
        """Around one task: a device whose steps can check for a stop hooks in here."""
        yield

    @abc.abstractmethod
    def post(
        self,
        ctx: RunContext,
        *,
        caption: str,
        media: Sequence[str],
        options: Mapping[str, Any],
    ) -> str:
        """Publish ``media`` with ``caption``; return a short result for the task's remark."""

    @abc.abstractmethod
    def follow(self, ctx: RunContext, *, user: str, access_method: str, undo: bool) -> str:
        """Follow ``user`` (unfollow with ``undo``), through its profile URL or a search."""

    @abc.abstractmethod
    def comment(self, ctx: RunContext, *, url: str, text: str, image_path: str) -> str:
        """Comment ``text`` on the post at ``url``."""

    @abc.abstractmethod
    def warmup(self, ctx: RunContext, *, plan: Mapping[str, Any]) -> str:
        """Browse like a person for the planned duration."""

    # -- what the device API lends to users' programs ----------------------------------------

    def ui_call(self, method: str, params: Sequence[Any], timeout: float) -> Any:
        """Call a uiautomator2 JSON-RPC method; its result (:class:`UiRpcError` if refused)."""
        raise DeviceError(f"device {self.serial} ({self.kind}) has no UI automation")

    def hierarchy(self) -> str:
        """The screen's UI tree, as uiautomator's XML dump."""
        raise DeviceError(f"device {self.serial} ({self.kind}) has no UI automation")

    def screenshot(self) -> bytes:
        """The screen as PNG bytes."""
        raise DeviceError(f"device {self.serial} ({self.kind}) has no screen")

    def adb_shell(self, argv: Sequence[str], timeout: float) -> str:
        """Run one command on the device, each item of ``argv`` one word; its output."""
        raise DeviceError(f"device {self.serial} ({self.kind}) has no shell")
