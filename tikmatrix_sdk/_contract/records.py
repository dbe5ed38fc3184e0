"""What a device did, in one shape whatever the kind of device: :class:`DeviceRecord`.

A simulated device and a virtual phone both keep the latest :data:`MAX_RECORDS` of these (as
JSON), the control API's ``/_control/devices/{serial}/records`` serves them and the
dashboard's state route shows the latest. The shape is the class below; :data:`RECORD_SCHEMA`
is the same shape as a JSON Schema, built from the class, which the tests check every record
of every script against.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "MAX_RECORDS",
    "MEDIA_SCHEMA",
    "RECORD_SCHEMA",
    "DeviceRecord",
    "MediaFile",
    "make_record",
    "record_log",
]

#: How many records a device keeps, the latest: a server that runs for weeks keeps its memory,
#: and the records answer its size, whatever number of tasks it ran.
MAX_RECORDS = 2_000


def record_log() -> collections.deque[dict[str, Any]]:
    """An empty log of a device's records, keeping the latest :data:`MAX_RECORDS`."""
    return collections.deque(maxlen=MAX_RECORDS)


@attrs.frozen(kw_only=True)
class MediaFile:
    """A file a post published: where it was, and its size and SHA-256 when the device had it.

    A virtual phone reads the bytes it was sent, so it knows both; a simulated device never
    sees the file (the path names a file on the PC), so both are ``None``.
    """

    path: str
    size: int | None = None
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The file as JSON."""
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@attrs.frozen(kw_only=True)
class DeviceRecord:
    """One thing a device did: a post, a follow, a comment, a warm-up, a like.

    ``action`` and ``platform`` say what and where; ``task_id`` and ``account`` which task and
    account did it, when the device knows (a virtual phone only sees taps, not tasks);
    ``media`` the files a post published; ``details`` the rest, which depends on the action
    (``user``, ``caption``, ``url``, ``text``…) and is written at the record's top level.
    """

    action: str
    platform: str | None = None
    task_id: int | None = None
    account: str | None = None
    media: tuple[MediaFile, ...] = ()
    details: Mapping[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON: the fixed fields, then ``details`` beside them."""
        clash = RESERVED & set(self.details)
        if clash:
            raise ValueError(f"a record's details cannot be named {sorted(clash)}")
        return {
            "action": self.action,
            "platform": self.platform,
            "task_id": self.task_id,
            "account": self.account,
            "media": [file.to_json() for file in self.media],
            **self.details,
        }


#: The names of a record's fixed fields: no detail may take one of them.
RESERVED = frozenset(field.name for field in attrs.fields(DeviceRecord)) - {"details"}


def make_record(
    action: str,
    *,
    platform: str | None = None,
    task_id: int | None = None,
    account: str | None = None,
    media: Sequence[MediaFile | str] = (),
    **details: Any,
) -> dict[str, Any]:
    """A record's JSON; ``media`` may name a file by its path alone."""
    files = tuple(MediaFile(path=m) if isinstance(m, str) else m for m in media)
    record = DeviceRecord(
        action=action,
        platform=platform,
        task_id=task_id,
        account=account,
        media=files,
        details=details,
    )
    return record.to_json()


_NULLABLE = {"str": ["string", "null"], "int": ["integer", "null"]}

#: A :class:`MediaFile` as a JSON Schema.
MEDIA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [field.name for field in attrs.fields(MediaFile)],
    "additionalProperties": False,
    "properties": {
        "path": {"type": "string"},
        "size": {"type": _NULLABLE["int"], "minimum": 0},
        "sha256": {"type": _NULLABLE["str"], "pattern": "^[0-9a-f]{64}$"},
    },
}

#: A :class:`DeviceRecord`'s JSON as a JSON Schema: the fixed fields required, details free.
RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": sorted(RESERVED),
    "properties": {
        "action": {"type": "string", "minLength": 1},
        "platform": {"type": _NULLABLE["str"]},
        "task_id": {"type": _NULLABLE["int"]},
        "account": {"type": _NULLABLE["str"]},
        "media": {"type": "array", "items": MEDIA_SCHEMA},
    },
}
