"""What one server holds, how it is built from a config, reset, and closed.

:class:`ServerState` is the composition root: it builds the store, the service over it, the
fleet and the runner, and wires them. :meth:`ServerState.reset` (moto's ``reset()`` is the
model) brings a running server back to what :meth:`ServerState.build` made, and is what the
control API's ``/_control/reset`` calls.
"""

from __future__ import annotations

import logging
import random

import attrs
from flask import current_app

from .config import ServerConfig
from .domain.device_control import Lab
from .domain.faults import Faults
from .domain.fleet import DeviceSource, Fleet
from .domain.leases import LeaseService
from .domain.runner import Runner
from .domain.script_process import RUN_ENV, left_by_a_gone_server, owner_mark
from .domain.service import TaskService
from .domain.sqlite_store import SQLiteStore
from .orphan_sweep import LAB_ENV, kill_marked, owner_gone, sweep_folders

__all__ = ["ServerState", "loopback_url", "state"]

log = logging.getLogger("reference_server")


def loopback_url(base_url: str) -> str:
    """``base_url`` as a client on this machine reaches it.

    A server on every address (``0.0.0.0``, ``[::]``) is reached at the loopback one: the
    ``Host`` guard refuses the unspecified address.
    """
    url = base_url.rstrip("/")
    for unspecified, loopback in (("//0.0.0.0:", "//127.0.0.1:"), ("//[::]:", "//[::1]:")):
        url = url.replace(unspecified, loopback)
    return url


@attrs.frozen(kw_only=True)
class ServerState:
    """The parts of a running reference server."""

    config: ServerConfig
    service: TaskService
    fleet: Fleet
    leases: LeaseService
    runner: Runner
    faults: Faults
    source: DeviceSource
    lab: Lab

    @property
    def scheduler_running(self) -> bool:
        """Whether tasks run by themselves (else a test runs them with ``/_control/run``)."""
        return self.config.run_scheduler

    @classmethod
    def build(cls, config: ServerConfig) -> ServerState:
        """Open the store, seed the devices the config asks for, and start the scheduler."""
        service = TaskService(
            SQLiteStore(config.db),
            config.clock,
            rng=random.Random(config.seed),
            custom_scripts=config.custom_scripts,
        )
        fleet = Fleet()
        leases = LeaseService(service, fleet)
        runner = Runner(
            service, fleet, leases=leases, poll_interval=config.poll_interval, seed=config.seed
        )
        source = config.device_source()
        server = cls(
            config=config,
            service=service,
            fleet=fleet,
            leases=leases,
            runner=runner,
            faults=Faults(),
            source=source,
            lab=Lab(service, fleet, source, runner, leases),
        )
        if config.plan is not None:
            service.set_plan(config.plan)
        try:
            source.start()
        except BaseException:
            service.close()  # the store is released: another server may open it at once
            raise
        if source.kind != "simulated" or not service.devices():
            source.seed(service, fleet)
        for device in service.devices():  # a store that outlived a restart keeps its devices
            if device.kind == "simulated":
                fleet.simulated(device.serial)
        runner.script_owner = owner_mark(str(config.db))
        ended = kill_marked(  # before any task: one read of the process table for both
            {
                RUN_ENV: left_by_a_gone_server(runner.script_owner),  # killed servers' scripts
                LAB_ENV: owner_gone,  # and their labs' adb servers
            }
        )
        swept = sweep_folders()
        if ended:  # a server was killed mid-run: worth a line that stands out
            log.warning(
                "a reference server that was killed left %d process(es) running (custom scripts, "
                "or its virtual phones' adb server): ended them",
                ended,
            )
        if swept:  # routine: what a stopped server's phones kept on disk
            log.info("removed %d virtual phone folder(s) a stopped server left behind", swept)
        if config.run_scheduler:
            runner.start()
        else:
            service.recover()
        return server

    def reset(self, devices: int | None = None) -> int:
        """Forget every task, device, account and fault; seed the devices again.

        Running tasks are stopped and leases ended first, the plan goes back to the
        config's (Pro unless it says otherwise), and ``devices`` overrides how many
        simulated devices are made. Returns how many devices there are.
        """
        self.runner.cancel_all()
        self.leases.clear()
        self.faults.clear()
        self.service.reset()
        for device in self.fleet:  # what a device holds (a simulated phone's files) goes too
            device.close()
        self.fleet.clear()
        for phone in self.source.lab.phones if self.source.lab is not None else ():
            phone.ui.reset()  # a virtual phone's screen: the launcher, lit and upright
            for package in list(phone.described):  # and the apps described to it, gone
                phone.uninstall_described(package)
        if self.config.plan is not None:
            self.service.set_plan(self.config.plan)
        self.source.seed(self.service, self.fleet, devices)
        return len(self.service.devices())

    def serving_at(self, base_url: str) -> None:
        """Tell the parts that hand out the server's address where it listens.

        A server on every address is handed out at its loopback one (:func:`loopback_url`).
        """
        self.runner.api_base = loopback_url(base_url)

    def close(self) -> None:
        """Stop the scheduler and the devices, and close the store."""
        self.runner.stop()
        for device in self.fleet:
            device.close()
        self.service.close()
        self.source.stop()


def state() -> ServerState:
    """The state of the app handling the current request."""
    server: ServerState = current_app.extensions["tikmatrix"]
    return server
