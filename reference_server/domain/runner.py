"""The scheduler and its workers: due tasks go to their device, one task per device at a time.

In a running server a scheduler thread ticks a few times a second and claimed tasks run on
worker threads (:mod:`.worker_pool`): as few as instant scripts need, one a task for scripts
that block. Tests drive the same code without threads: :meth:`Runner.run_until_idle` runs
every due task inline, and a manual clock makes waits instant.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping

from tikmatrix_sdk._contract.codes import ContractError

from ..devices import Device, DeviceError, RunContext, TaskCancelled
from ..scripts import Script
from .custom_scripts import OFF, PACKAGES, CustomScript
from .fleet import Fleet
from .leases import LeaseService
from .script_process import run_command
from .service import TaskService
from .store import TaskRow
from .worker_pool import WorkerPool

__all__ = ["GROUP", "Claim", "Runner"]

log = logging.getLogger(__name__)

#: How many hand-overs one transaction writes at most. Every hand-over waiting is written
#: together (a device has one at a time, so a group is at most a farm's busy devices): with
#: 200 devices saturated, groups capped at 16 or 32 kept workers waiting behind several
#: writes, and the lag's p99 went over 25 ms, where uncapped groups keep it near 16 ms
#: (bench/runner_bench.py). The cap bounds how long one write holds the store.
GROUP = 256


class Claim:
    """A claimed task on its way through the workers.

    It carries the task, the generation its claim was made in, and its own cancel: a reset
    starts ids again, so an id alone may name a later task.
    """

    __slots__ = ("cancel", "generation", "task")

    def __init__(self, task: TaskRow, generation: int) -> None:
        self.task = task
        self.generation = generation
        self.cancel = threading.Event()


#: A worker's hand-over: its claim and the outcome (``None``: stopped meanwhile).
HandOver = tuple[Claim, tuple[bool, str] | None]


class Runner:
    """Hands due tasks to devices and records what happened."""

    def __init__(
        self,
        service: TaskService,
        fleet: Fleet,
        *,
        leases: LeaseService | None = None,
        poll_interval: float = 0.2,
        seed: int | None = None,
        group: int = GROUP,
    ) -> None:
        self.service = service
        self.fleet = fleet
        self.leases = leases or LeaseService(service, fleet)
        #: The API's base URL, given to managed custom scripts (set when the server binds).
        self.api_base = "http://127.0.0.1:50809"
        #: The mark of this server's custom script runs (see :mod:`.script_process`).
        self.script_owner = ""
        if group < 1:
            raise ValueError(f"group must be at least 1, got {group}")
        self.poll_interval = poll_interval
        self._rng = random.Random(seed)
        #: Each busy device's claim, and each claimed task's (by id: a stop or a delete
        #: cancels by id). A claim is current while it is in both.
        self._busy: dict[str, Claim] = {}
        self._claims: dict[int, Claim] = {}
        #: Goes up at each reset: work begun before it claims nothing after it.
        self._generation = 0
        self._lock = threading.Lock()
        #: Hand-overs waiting for a group write, and whether one is under way.
        self._queue: list[HandOver] = []
        self._queue_lock = threading.Lock()
        self._writing = False
        self._group = group
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        #: Runs claimed tasks: instant ones on the threads already awake, and a thread each
        #: for those that block (a phone's script), so a farm's devices need not each keep
        #: a thread that every hand-off wakes.
        self._pool: WorkerPool[Claim] = WorkerPool(self._work, name="device")
        service.set_cancel_hook(self.cancel)
        service.set_new_work_hook(self._wake.set)
        self.leases.set_scheduler_hooks(self.hold, self._wake.set)

    # -- scheduling --------------------------------------------------------------------------

    def _claim_batch(self, generation: int | None = None) -> list[Claim]:
        """Claim the first due task of every idle device, in one write.

        Nothing is claimed once the runner stops, nor from a look-up that began before a
        reset (``generation``): its rows may name tasks that are gone.
        """
        with self._lock:
            busy = set(self._busy)
            started = self._generation if generation is None else generation
        due = self.service.due(busy | self.leases.leased_serials())
        limit = self.service.plan.device_limit
        with self._lock:
            if self._stopping.is_set() or started != self._generation:
                return []
            leased = self.leases.leased_serials()  # none is lent meanwhile: hold() waits
            due = [
                task for task in due if task.serial not in self._busy and task.serial not in leased
            ]
            # Leases and running tasks share the plan's device slots.
            free = max(0, limit - len(set(self._busy) | leased))
            due = sorted(due, key=lambda task: (task.scheduled_at, task.id))[:free]
            claimed = set(self.service.claim_many([task.id for task in due]))
            batch = [Claim(task, started) for task in due if task.id in claimed]
            for claim in batch:
                self._mark(claim)
        return batch

    def _mark(self, claim: Claim) -> None:
        """Record ``claim`` as its device's current one (the lock held)."""
        self._busy[claim.task.serial or ""] = claim
        self._claims[claim.task.id] = claim

    def _forget(self, claim: Claim) -> bool:
        """Drop ``claim``'s records where still its own (the lock held); whether it was current.

        A claim from before a reset may find a later task's claim under the same id: that
        one stays, and the old claim's device is freed all the same.
        """
        serial = claim.task.serial or ""
        if self._busy.get(serial) is claim:
            del self._busy[serial]
        if self._claims.get(claim.task.id) is not claim:
            return False
        del self._claims[claim.task.id]
        return True

    def run_until_idle(self, max_rounds: int = 10_000) -> int:
        """Run every due task inline, device by device in id order; how many ran.

        If running one fails outright, the round's tasks not yet started go back to pending
        (they were claimed, never run) before the error is raised.
        """
        ran = 0
        for _ in range(max_rounds):
            batch = self._claim_batch()
            if not batch:
                return ran
            for index, claim in enumerate(batch):
                try:
                    self._run(claim)
                except BaseException:
                    self._unclaim(batch[index + 1 :])
                    raise
                ran += 1
        raise RuntimeError("tasks kept becoming due; is the clock moving?")

    def _unclaim(self, claims: list[Claim]) -> None:
        """Give claimed tasks that never started back to the queue, and free their devices."""
        with self._lock:
            current = [claim.task.id for claim in claims if self._forget(claim)]
        self.service.unclaim(current)
        self._wake.set()  # the scheduler looks again: the devices are free

    def tick(self) -> int:
        """Hand the first due task of every idle device to the worker threads.

        From then on a device's tasks follow one another without the scheduler: the write
        that ends one claims the device's next due task, which goes straight to the workers.
        """
        with self._lock:
            generation = self._generation
        batch = self._claim_batch(generation=generation)
        self._dispatch(batch)
        return len(batch)

    def _dispatch(self, claims: list[Claim]) -> None:
        """Give claimed tasks to the workers; any the pool refuses (it closed) go back."""
        refused = self._pool.submit(claims)
        if refused:
            self._unclaim(refused)

    def _work(self, claim: Claim) -> None:
        """Run one claimed task on a worker thread, then queue its hand-over.

        A task whose runner stopped, or was reset, before the task started is not started:
        it goes back to pending (or is gone, after a reset).
        """
        if claim.cancel.is_set() and (
            self._stopping.is_set() or claim.generation != self._generation
        ):
            self._unclaim([claim])
            return
        try:
            outcome = self._outcome(claim.task, claim.cancel)
        except BaseException:
            self._release([claim])
            raise
        self._hand_over(claim, None if claim.cancel.is_set() else outcome)

    def _release(self, claims: list[Claim]) -> None:
        """Free the devices of ``claims``, which claim nothing more, for the scheduler."""
        with self._lock:
            for claim in claims:
                self._forget(claim)
        self._wake.set()  # the scheduler looks again: a task may have come meanwhile

    def _hand_over(self, claim: Claim, outcome: tuple[bool, str] | None) -> None:
        """Record ``claim``'s outcome and claim its device's next due task, in one write.

        ``outcome`` is ``None`` for a task stopped meanwhile. Nothing is claimed once the
        runner stops, after a reset, or while the device is lent. The task claimed goes to
        the workers; a device with none is free again.

        Hand-overs are written in groups (a group commit): the worker that finds no write
        under way writes every hand-over waiting, up to ``group`` at a time, one
        transaction each, until none is left; the others queue theirs and go on to the
        next task waiting. Under load one commit serves many devices; alone, a hand-over is
        written at once, waiting for nobody.
        """
        with self._queue_lock:
            self._queue.append((claim, outcome))
            if self._writing:
                return
            self._writing = True
        try:
            while True:
                with self._queue_lock:
                    group = self._queue[: self._group]
                    del self._queue[: self._group]
                    if not group:
                        self._writing = False
                        return
                claims = self._write_group(group)
                try:
                    self._dispatch(claims)
                except Exception:  # the hand-overs queued behind are still written
                    log.exception("handing %d claimed tasks to the workers failed", len(claims))
                    self._release(claims)  # their tasks stay running, as after a crash
        except BaseException:
            with self._queue_lock:
                self._writing = False
            raise

    def _write_group(self, group: list[HandOver]) -> list[Claim]:
        """Write the hand-overs of ``group`` in one transaction; the claims it made.

        A hand-over whose claim is no longer current (a reset came, and its task's id may
        name a later task) writes nothing. If the write fails, the group's tasks stay
        running (a restart fails them as interrupted, as it does after a crash), their
        devices are free, and the error is logged once.
        """
        try:
            with self._lock:
                leased = self.leases.leased_serials()
                current: list[Claim] = []
                items: list[tuple[int, tuple[bool, str] | None, str | None]] = []
                for claim, outcome in group:
                    if not self._forget(claim):
                        continue
                    serial = claim.task.serial or ""
                    claims = (
                        not self._stopping.is_set()
                        and claim.generation == self._generation
                        and serial not in leased
                    )
                    current.append(claim)
                    items.append((claim.task.id, outcome, serial if claims else None))
                claimed = self.service.hand_over_many(items) if items else []
                following: list[Claim] = []
                for claim, next_task in zip(current, claimed, strict=True):
                    if next_task is not None:
                        following.append(Claim(next_task, claim.generation))
                        self._mark(following[-1])
        except Exception:
            log.exception("writing %d hand-overs failed; their tasks stay running", len(group))
            self._release([claim for claim, _ in group])
            return []
        if len(following) < len(group):
            self._wake.set()  # the scheduler looks again: a device is free
        return following

    @contextlib.contextmanager
    def hold(self, serial: str) -> Iterator[Mapping[str, int]]:
        """Claim nothing meanwhile; yield the task each busy device runs (for a lease)."""
        with self._lock:
            yield {serial: claim.task.id for serial, claim in self._busy.items()}

    def wake(self) -> None:
        """Look for due work now rather than at the next tick."""
        self._wake.set()

    # -- running -----------------------------------------------------------------------------

    def _run(self, claim: Claim) -> None:
        """Run one task inline and free its device."""
        try:
            ok, remark = self._outcome(claim.task, claim.cancel)
            if not claim.cancel.is_set():
                self.service.finish(claim.task.id, ok=ok, remark=remark)
        finally:
            self._release([claim])

    def _outcome(self, task: TaskRow, cancel: threading.Event) -> tuple[bool, str]:
        device = self.fleet.get(task.serial)
        if device is None:
            return False, f"device {task.serial} is not connected"
        account = self.service.account(task.username) if task.username else None
        ctx = RunContext(
            task_id=task.id,
            username=task.username,
            platform=account.platform if account else None,
            job_index=task.job_index,
            clock=self.service.clock,
            cancel=cancel,
            seed=self._rng.random(),
        )
        try:
            with device.running(ctx):
                script = self.service.scripts.find(task.script_name)
                if isinstance(script, Script):
                    return True, script.run(device, task.script_config, ctx)
                if script is None:
                    return False, f"script {task.script_name!r} is no longer registered"
                if not self.service.custom_scripts.enabled:  # made before a restart without it
                    return False, OFF
                return self._run_custom(task, script, device, ctx)
        except TaskCancelled:
            return False, "stopped by user"
        except DeviceError as exc:
            return False, str(exc)
        except Exception as exc:
            log.exception("task %s failed unexpectedly", task.id)
            return False, f"internal error: {exc}"

    def _run_custom(
        self, task: TaskRow, script: CustomScript, device: Device, ctx: RunContext
    ) -> tuple[bool, str]:
        """Lend the task's device to the registered command for the run, then take it back."""
        lease = self.leases.lend_to_task(device.serial, task.id, script.timeout)
        env = {
            "TIKMATRIX_API_BASE": self.api_base,
            "TIKMATRIX_SESSION_ID": lease.session_id,
            "TIKMATRIX_SERIAL": device.serial,
            "TIKMATRIX_PACKAGE": PACKAGES[script.platform],
            "TIKMATRIX_PLATFORM": script.platform,
            "TIKMATRIX_TASK_ID": str(task.id),
            "TIKMATRIX_USERNAME": task.username or "",
            "TIKMATRIX_SCRIPT_CONFIG": json.dumps(task.script_config),
        }
        try:
            outcome = run_command(
                script.command,
                env,
                timeout=script.timeout,
                cancel=ctx.cancel,
                owner=self.script_owner,
            )
        finally:
            with contextlib.suppress(ContractError):  # already gone if a reset came meanwhile
                self.leases.release(lease.session_id)
        output = outcome.output.strip()
        tail = f": {output}" if output else ""
        if outcome.cancelled:
            raise TaskCancelled
        if outcome.error:
            return False, outcome.error
        if outcome.timed_out:
            return False, f"timed out after {script.timeout:g} s" + (
                f": {output}" if output else ""
            )
        if outcome.exit_code != 0:
            return False, f"exit status {outcome.exit_code}{tail}"
        return True, output or "exit status 0"

    def cancel(self, task_id: int) -> None:
        """Interrupt a running task (after the service marked it stopped or deleted it)."""
        with self._lock:
            claim = self._claims.get(task_id)
        if claim is not None:
            claim.cancel.set()

    def cancel_all(self) -> None:
        """Interrupt every running task, and let no worker claim another (a reset)."""
        with self._lock:
            self._generation += 1
            claims = list(self._claims.values())
        for claim in claims:
            claim.cancel.set()

    def running(self) -> dict[str, int]:
        """The task each busy device runs."""
        with self._lock:
            return {serial: claim.task.id for serial, claim in self._busy.items()}

    # -- the background thread ---------------------------------------------------------------

    def start(self) -> None:
        """Recover from a crash, then schedule in a background thread.

        A scheduler or worker left from a :meth:`stop` that timed out does not resume: each
        start is a new generation, and what an older one began claims nothing.
        """
        self.service.recover()
        stopping = threading.Event()
        with self._lock:
            self._generation += 1
            self._stopping = stopping
        self._pool.reopen()  # closed by an earlier stop
        self._thread = threading.Thread(
            target=self._loop, args=(stopping,), name="scheduler", daemon=True
        )
        self._thread.start()

    def _loop(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                self.tick()
            except Exception:  # pragma: no cover - keep scheduling whatever one tick did
                log.exception("scheduler tick failed")
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop scheduling, cancel running tasks and wait for the workers.

        ``timeout`` bounds the whole stop, however many workers there are.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            self._stopping.set()
            self._generation += 1  # what runs now claims nothing more, even after a start
            claims = list(self._claims.values())
        self._wake.set()
        for claim in claims:
            claim.cancel.set()
        # Claimed tasks that no worker started go back to the queue (as do any the last
        # tick claims, refused by the closed pool). The scripts running are cancelled;
        # their tasks stay running in the store, as after a crash, and the next start fails
        # them as interrupted; they claim nothing more.
        self._unclaim(self._pool.close())
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        for thread in self._pool.threads():
            thread.join(max(0.0, deadline - time.monotonic()))
