"""The phone's log buffer, and ``log`` and ``logcat`` as a phone answers them.

Lines are kept as entries (time, pid, tid, priority, tag, message) and printed in logcat's
default ``threadtime`` format: ``MM-DD HH:MM:SS.mmm  PID  TID P TAG     : message`` (the pids
right-aligned in five columns, the tag left-aligned in eight). ``logcat`` takes ``-d`` (print
and stop), ``-c`` (clear), ``-s`` (silence every tag not named), ``-t N`` (the last N lines),
``-v threadtime|brief|tag|time`` and filter specs ``TAG[:PRIORITY]`` (``*:S`` and the like);
``log [-p PRIORITY] [-t TAG] MESSAGE…`` writes a line as an app would.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable

import attrs

__all__ = ["LogBuffer", "LogEntry", "LogcatOptions", "parse_log", "parse_logcat"]

#: Priorities from the lowest; ``S`` (silent) shows nothing.
PRIORITIES = "VDIWEFS"
#: The most lines a phone's buffer keeps (older ones rotate away).
MAX_LINES = 5_000
FORMATS = ("threadtime", "brief", "tag", "time")


@attrs.frozen
class LogEntry:
    """One line of the log."""

    time: float
    pid: int
    tid: int
    priority: str
    tag: str
    message: str

    def format(self, style: str = "threadtime") -> str:
        """The line as ``logcat -v STYLE`` prints it."""
        stamp = time.strftime("%m-%d %H:%M:%S", time.localtime(self.time))
        stamp += f".{int(self.time * 1000) % 1000:03d}"
        if style == "brief":
            return f"{self.priority}/{self.tag:<8}({self.pid:>5}): {self.message}"
        if style == "tag":
            return f"{self.priority}/{self.tag:<8}: {self.message}"
        if style == "time":
            return f"{stamp} {self.priority}/{self.tag:<8}({self.pid:>5}): {self.message}"
        return f"{stamp} {self.pid:>5} {self.tid:>5} {self.priority} {self.tag:<8}: {self.message}"


@attrs.frozen(kw_only=True)
class LogcatOptions:
    """What one ``logcat`` command asked for."""

    dump: bool = False
    clear: bool = False
    last: int | None = None
    style: str = "threadtime"
    #: Each tag's lowest priority shown; ``"*"`` for every other tag.
    filters: dict[str, str] = attrs.field(factory=lambda: {"*": "V"})

    def shows(self, entry: LogEntry) -> bool:
        """Whether the filter specs let ``entry`` through."""
        lowest = self.filters.get(entry.tag, self.filters.get("*", "V"))
        if lowest == "S":
            return False
        return PRIORITIES.index(entry.priority) >= PRIORITIES.index(lowest)


class LogBuffer:
    """A phone's log: lines written by apps, the system and ``log``; read by ``logcat``."""

    def __init__(self) -> None:
        self._entries: deque[LogEntry] = deque(maxlen=MAX_LINES)
        self._written = 0  # every line ever written, so a follower knows what is new
        self._lock = threading.Lock()

    def write(self, tag: str, message: str, *, priority: str = "I", pid: int = 2000) -> None:
        """Add a line (one per line of ``message``, as Android's logger splits it)."""
        now = time.time()
        with self._lock:
            for text in message.splitlines() or [""]:
                self._entries.append(LogEntry(now, pid, pid, priority, tag, text))
                self._written += 1

    def clear(self) -> None:
        """Forget every line (``logcat -c``)."""
        with self._lock:
            self._entries.clear()

    def since(self, mark: int) -> tuple[list[LogEntry], int]:
        """The lines written after ``mark`` (still kept), and the new mark."""
        with self._lock:
            fresh = min(self._written - mark, len(self._entries))
            entries = list(self._entries)[len(self._entries) - fresh :] if fresh > 0 else []
            return entries, self._written

    def read(self, options: LogcatOptions) -> str:
        """What ``logcat -d`` prints with these options."""
        entries, _ = self.since(0)
        return render(entries, options)


def render(entries: Iterable[LogEntry], options: LogcatOptions) -> str:
    """The lines ``options`` lets through, formatted, each ending in a newline."""
    shown = [entry for entry in entries if options.shows(entry)]
    if options.last is not None:
        shown = shown[-options.last :] if options.last else []
    return "".join(entry.format(options.style) + "\n" for entry in shown)


def parse_logcat(args: list[str]) -> LogcatOptions | str:
    """``logcat``'s options, or the error it prints for a bad one."""
    dump = clear = silent = False
    last: int | None = None
    style = "threadtime"
    specs: list[str] = []
    words = iter(args)
    for word in words:
        if word in ("-d",):
            dump = True
        elif word in ("-c", "--clear"):
            clear = True
        elif word == "-s":
            silent = True
        elif word in ("-t", "-T"):
            count = next(words, "")
            if not count.isdigit():
                return f"logcat: -t needs a count, got {count!r}"
            last, dump = int(count), True
        elif word == "-v":
            style = next(words, "")
            if style not in FORMATS:
                return f"logcat: unknown format {style!r} (one of {', '.join(FORMATS)})"
        elif word in ("-b", "--buffer"):
            next(words, None)  # one buffer here: main
        elif word.startswith("-"):
            return f"logcat: unknown option {word!r}"
        else:
            specs.append(word)
    filters = {"*": "S" if silent else "V"}
    for spec in specs:
        tag, _, priority = spec.partition(":")
        priority = (priority or "V").upper()
        if priority not in PRIORITIES or not tag:
            return f"logcat: bad filter spec {spec!r}"
        filters[tag] = priority
    return LogcatOptions(dump=dump, clear=clear, last=last, style=style, filters=filters)


def parse_log(args: list[str]) -> tuple[str, str, str] | str:
    """``log``'s priority, tag and message, or the usage it prints."""
    priority, tag = "I", "log"
    words = list(args)
    while words and words[0] in ("-p", "-t"):
        if len(words) < 2:
            return "usage: log [-p PRIORITY] [-t TAG] MESSAGE..."
        option, value = words[0], words[1]
        words = words[2:]
        if option == "-p":
            priority = value[:1].upper()
            if priority not in PRIORITIES[:-1]:
                return f"log: bad priority {value!r} (v, d, i, w, e or f)"
        else:
            tag = value
    if not words:
        return "usage: log [-p PRIORITY] [-t TAG] MESSAGE..."
    return priority, tag, " ".join(words)
