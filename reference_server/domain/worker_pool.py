"""Threads that run queued work, as many as it needs: few if instant, one per item if blocked.

The runner's scripts may be instant (a simulated device) or block for seconds (a phone over
ADB). A thread per busy device serves both, but when scripts are instant its threads spend
their time waking one another: every task is a wake-up. Here items wait in one queue, first
in first out, and a thread that finishes an item takes the next one without sleeping, so
instant work is run by the threads already awake.

Threads are woken, or made, as the items waiting need: enough to start them within
:attr:`WorkerPool.patience` seconds at the length items have lately taken (one thread
between instant items, one each for items that block), less the threads already coming and,
for instant items, those that took an item within that time (they will soon be free). Each
submit reckons it; a watcher reckons it again whenever the oldest item has waited patience,
and when every busy thread has been on its item for as long (instant items that turned into
blocking ones), it at least doubles the threads. The watcher also starts the threads made
(a start waits for the new thread to run). A thread idle for :attr:`WorkerPool.linger`
seconds ends, and so does the watcher.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

__all__ = ["WorkerPool"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How many of the latest items' times the pool keeps.
RECENT = 15


class _Worker:
    """One thread's state: its wake-up lock while idle, and when it last took an item."""

    __slots__ = ("thread", "took", "wake")

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.wake = threading.Lock()
        self.took = 0.0


class WorkerPool(Generic[T]):
    """Run ``run(item)`` for each item submitted, on threads started as they are needed.

    ``patience`` is how long the oldest item may wait, with every awake thread busy on an
    older one, before threads are woken or started for the waiting items; ``linger`` how long
    a thread waits for work before it ends. Threads are daemons named ``{name}-{n}``.
    """

    def __init__(
        self,
        run: Callable[[T], None],
        *,
        name: str,
        patience: float = 0.002,
        linger: float = 10.0,
    ) -> None:
        if patience <= 0 or linger <= 0:
            raise ValueError(f"patience and linger must be positive, got {patience}, {linger}")
        self.patience = patience
        self.linger = linger
        self._run = run
        self._name = name
        self._lock = threading.Lock()
        #: Told when the queue gains its first item, or the pool closes.
        self._watch = threading.Condition(self._lock)
        self._ready: deque[tuple[float, T]] = deque()
        #: Idle threads, the latest idle last (woken first: its cache is the warmest).
        self._idle: list[_Worker] = []
        #: The pool's threads, idle or not: each is in it from its start to its end.
        self._workers: set[_Worker] = set()
        #: Threads woken or started that have not yet come for an item.
        self._coming = 0
        #: Threads made for items and not yet started: the watcher starts them.
        self._unstarted: list[_Worker] = []
        #: Threads started so far (for their names).
        self._started = 0
        #: How long the latest items took: their median says how many threads a queue
        #: needs (a median, so that a rare long item does not count as the usual).
        self._took: list[float] = [0.0] * RECENT
        self._done = 0
        self._closed = False
        #: Started with the first item, and ends after :attr:`linger` seconds without one.
        self._watcher: threading.Thread | None = None

    # -- the caller's side -------------------------------------------------------------------

    def reopen(self) -> None:
        """Take items again after :meth:`close`."""
        with self._lock:
            self._closed = False

    def submit(self, items: Iterable[T]) -> list[T]:
        """Queue ``items`` to run; those refused because the pool is closed are returned."""
        added = list(items)
        if not added:
            return []
        with self._lock:
            if self._closed:
                return added
            was_empty = not self._ready
            now = time.monotonic()
            self._ready.extend((now, item) for item in added)
            if self._watcher is None:
                watcher = threading.Thread(
                    target=self._watch_queue, name=f"{self._name}-watcher", daemon=True
                )
                try:
                    watcher.start()
                except RuntimeError:  # no thread to be had: the items are refused
                    log.exception("%s: could not start its watcher", self._name)
                    for _ in added:
                        self._ready.pop()
                    return added
                self._watcher = watcher
            wanted = self._wanted(now)
            if wanted > 0:
                self._wake(wanted)  # any thread to start, the watcher starts
            if was_empty or self._unstarted:
                self._watch.notify()
        return []

    def close(self) -> list[T]:
        """Take no more items; the items not yet started are returned, not run.

        Idle threads end now; a busy one ends when its item does.
        """
        with self._lock:
            self._closed = True
            left = [item for _, item in self._ready]
            self._ready.clear()
            idle, self._idle = self._idle, []
            for worker in idle:
                worker.wake.release()
            self._coming += len(idle)
            self._watch.notify_all()
        return left

    def threads(self) -> list[threading.Thread]:
        """The pool's started threads, the watcher among them: to wait for after a close.

        A thread not yet started is not among them: it ends by itself, the pool closed.
        """
        with self._lock:
            found = [w.thread for w in self._workers if w.thread is not None]
            return [*found, self._watcher] if self._watcher is not None else found

    # -- the threads' side -------------------------------------------------------------------

    def _active(self, now: float) -> int:
        """How many threads took an item within :attr:`patience`: they may be free soon."""
        if len(self._workers) == len(self._idle):
            return 0
        horizon = now - self.patience
        return sum(1 for w in self._workers if w.took > horizon)

    def _wanted(self, now: float) -> int:
        """How many more threads the waiting items need, to start within patience.

        At the items' usual length: one between them if instant, one each if they block.
        Threads woken already count, and so do, for instant items, the threads that took an
        item within patience (they will soon be free); a thread that took an item that
        blocks will not.
        """
        waiting = len(self._ready)
        usual = self._usual(now)
        needed = min(waiting, max(1, math.ceil(waiting * usual / self.patience)))
        free_soon = self._active(now) if usual < self.patience else 0
        return needed - self._coming - free_soon

    def _usual(self, now: float) -> float:
        """How long an item usually takes: the median of the latest.

        Before any item ends, the least time the items running now have run (past patience,
        each of them: they block).
        """
        if self._done:
            known = sorted(self._took[: self._done])
            return known[len(known) // 2]
        running = [now - w.took for w in self._workers if w.took]
        return min(running, default=0.0)

    def _wake(self, count: int) -> None:
        """Wake ``count`` idle threads, and make new ones for the rest.

        The watcher starts those: a start waits for the new thread to run, and the caller (a
        runner's writer, say) should not.
        """
        self._coming += count
        while count and self._idle:
            self._idle.pop().wake.release()
            count -= 1
        new = [_Worker() for _ in range(count)]
        self._workers.update(new)
        self._unstarted += new

    def _start(self, workers: list[_Worker]) -> bool:
        """Start a thread for each of ``workers`` (made by :meth:`_wake`); whether all started.

        The lock is not held. One that cannot start (the process has no thread to spare) is
        forgotten, with those after it: the items stay queued, and the watcher reckons them
        again.
        """
        for index, worker in enumerate(workers):
            with self._lock:
                self._started += 1
                name = f"{self._name}-{self._started}"
            thread = threading.Thread(target=self._serve, args=(worker,), name=name, daemon=True)
            try:
                thread.start()
            except RuntimeError:
                log.exception("%s: could not start a thread", self._name)
                with self._lock:
                    for unstarted in workers[index:]:
                        self._workers.discard(unstarted)
                        self._coming -= 1
                return False
            worker.thread = thread  # only then: a thread not yet started cannot be joined
        return True

    def _watch_queue(self) -> None:
        """Start the threads made for items; wake more whenever the queue stalls."""
        while True:
            with self._lock:
                new = self._watch_once()
                if new is None:
                    if self._watcher is threading.current_thread():
                        self._watcher = None
                    return
            if not self._start(new):
                time.sleep(self.patience)  # before trying again

    def _watch_once(self) -> list[_Worker] | None:
        """The workers to start, waited for with the lock held.

        Those made for items, or as many as the items waiting need once the oldest has
        waited ``patience``; ``None`` once the pool closes, or no item came for ``linger`` seconds.
        """
        while not self._closed:
            if self._unstarted:
                new, self._unstarted = self._unstarted, []
                return new
            if not self._ready:
                if not self._watch.wait(self.linger) and not self._ready:
                    return None
                continue
            now = time.monotonic()
            waited = now - self._ready[0][0]
            if waited < self.patience:
                self._watch.wait(self.patience - waited)
                continue
            wanted = self._wanted(now)
            if not self._active(now):  # every busy thread is stuck: its item blocks
                busy = len(self._workers) - len(self._idle) - self._coming
                wanted = max(wanted, min(len(self._ready), busy) - self._coming)
            if wanted > 0:
                self._wake(wanted)
            else:
                self._watch.wait(self.patience / 2)
        return None

    def _serve(self, me: _Worker) -> None:
        """Take items until the pool closes or none comes for :attr:`linger` seconds."""
        lock = self._lock
        lock.acquire()
        try:
            self._coming -= 1
            while True:
                if self._ready and not self._closed:
                    _, item = self._ready.popleft()
                    me.took = began = time.monotonic()
                    lock.release()
                    try:
                        self._run(item)
                    except Exception:
                        log.exception("%s: an item failed", self._name)
                    except BaseException:
                        lock.acquire()
                        raise
                    lock.acquire()
                    self._took[self._done % RECENT] = time.monotonic() - began
                    self._done += 1
                    continue
                if self._closed:
                    return
                me.took = 0.0  # idle: it takes nothing until woken
                me.wake.acquire()  # held until a waker releases it
                self._idle.append(me)
                lock.release()
                woken = me.wake.acquire(timeout=self.linger)
                lock.acquire()
                if not woken and me in self._idle:  # lingered long enough: end
                    self._idle.remove(me)
                    me.wake.release()
                    return
                if not woken:  # woken as the wait ran out: the release is there to take
                    me.wake.acquire()
                me.wake.release()
                self._coming -= 1
        finally:
            self._workers.discard(me)
            lock.release()
