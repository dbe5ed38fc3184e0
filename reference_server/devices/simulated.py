"""A device in the process: it takes its time, fails when told to, and records what it did."""

from __future__ import annotations

import random
import shlex
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from tikmatrix_sdk._contract.records import make_record, record_log

from .base import Device, DeviceError, RunContext, UiRpcError

if TYPE_CHECKING:
    from ..android.system import AndroidSystem

__all__ = ["Behaviour", "SimulatedDevice"]

FAILURE_MODES = ("never", "always", "rate", "sequence")


@attrs.frozen(kw_only=True)
class Behaviour:
    """How a simulated device behaves: seconds per action and when it fails."""

    duration: float = 0.0
    failure: str = "never"
    rate: float = 0.0
    sequence: tuple[str, ...] = ()
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The behaviour as JSON."""
        return {**attrs.asdict(self), "sequence": list(self.sequence)}


class SimulatedDevice(Device):
    """A device with no phone behind it, for tests and demos.

    Its scripts only record what they would do. Lent through the device API, it shows the
    screens of a simulated phone (:mod:`reference_server.android`), made on first use and
    driven in-process: the same launcher and apps a virtual phone shows over adb.
    """

    kind = "simulated"

    def __init__(self, serial: str, behaviour: Behaviour | None = None) -> None:
        super().__init__(serial)
        self._lock = threading.Lock()
        self.records = record_log()
        self._system: AndroidSystem | None = None
        self.configure(behaviour or Behaviour())

    @property
    def system(self) -> AndroidSystem:
        """The simulated phone behind the device API's calls, made on first use."""
        with self._lock:
            if self._system is None:
                # The simulated phone (screens, apps, shell) loads with the first device that
                # shows one: a server whose devices only run tasks, as most tests' do, never
                # imports it.
                from ..android.system import AndroidSystem

                self._system = AndroidSystem(self.serial)
            return self._system

    def close(self) -> None:
        """Remove the simulated phone's storage, if it was made."""
        with self._lock:
            system, self._system = self._system, None
        if system is not None:
            system.close()

    def ui_call(self, method: str, params: Sequence[Any], timeout: float) -> Any:
        """Answer as uiautomator2's server would, from the simulated screens."""
        from ..android import uiautomator

        try:
            return uiautomator.call(self.system.ui, method, list(params))
        except uiautomator.RpcError as error:
            raise UiRpcError(error.code, error.message) from None

    def hierarchy(self) -> str:
        """The simulated screen as uiautomator's XML dump."""
        return self.system.ui.hierarchy()

    def screenshot(self) -> bytes:
        """The simulated screen as a PNG."""
        from ..android.render import render_png

        return render_png(self.system.ui)

    def adb_shell(self, argv: Sequence[str], timeout: float) -> str:
        """Run a command on the simulated phone, each argument quoted as adbutils does.

        A command still running after ``timeout`` seconds fails, as adb gives up on a phone.
        """
        from ..android.system import CommandTimeout

        line = " ".join(shlex.quote(word) for word in argv)
        try:
            return self.system.execute(line, timeout=timeout)
        except CommandTimeout:
            raise DeviceError(f"adb shell timed out after {timeout:g} s") from None

    def configure(self, behaviour: Behaviour) -> None:
        """Change how the device behaves from now on."""
        with self._lock:
            self.behaviour = behaviour
            self._rng = random.Random(behaviour.seed)
            self._outcomes = list(behaviour.sequence)

    def _fails(self) -> bool:
        with self._lock:
            mode = self.behaviour.failure
            if mode == "always":
                return True
            if mode == "rate":
                return self._rng.random() < self.behaviour.rate
            if mode == "sequence" and self._outcomes:
                return self._outcomes.pop(0) == "fail"
            return False

    def _act(self, ctx: RunContext, action: str, **details: Any) -> str:
        ctx.wait(self.behaviour.duration)
        if self._fails():
            raise DeviceError(f"simulated failure during {action}")
        with self._lock:
            self.records.append(
                make_record(
                    action,
                    platform=ctx.platform,
                    task_id=ctx.task_id,
                    account=ctx.username,
                    **details,
                )
            )
        return f"{action} done"

    def post(
        self, ctx: RunContext, *, caption: str, media: Sequence[str], options: Mapping[str, Any]
    ) -> str:
        """Record a post."""
        return self._act(ctx, "post", caption=caption, media=list(media), options=dict(options))

    def follow(self, ctx: RunContext, *, user: str, access_method: str, undo: bool) -> str:
        """Record a follow or unfollow."""
        action = "unfollow" if undo else "follow"
        return self._act(ctx, action, user=user, access_method=access_method)

    def comment(self, ctx: RunContext, *, url: str, text: str, image_path: str) -> str:
        """Record a comment."""
        return self._act(ctx, "comment", url=url, text=text, image_path=image_path)

    def warmup(self, ctx: RunContext, *, plan: Mapping[str, Any]) -> str:
        """Record a warm-up session."""
        return self._act(ctx, "account_warmup", plan=dict(plan))
