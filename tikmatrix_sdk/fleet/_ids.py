"""A task's id across a fleet: its host's name and its id on that host (``pc-2:1041``)."""

from __future__ import annotations

import re
from typing import Self

import attrs

from ..errors import ClientValidationError

__all__ = ["FleetTaskId"]

_TEXT = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]{0,63}):([1-9][0-9]{0,18})")


@attrs.frozen(order=True)
class FleetTaskId:
    """A task of a fleet: ``host`` is the name of the host that holds it, ``id`` its id there.

    ``str()`` gives ``"pc-2:1041"``, which :meth:`parse` reads back; the fleet's methods take
    either. Ids sort by host name, then id.
    """

    host: str
    id: int

    def __str__(self) -> str:
        return f"{self.host}:{self.id}"

    @classmethod
    def parse(cls, value: FleetTaskId | str) -> Self:
        """A fleet task id from its text (``"pc-2:1041"``); an id is returned as it is."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            found = _TEXT.fullmatch(value.strip())
            if found:
                return cls(found[1], int(found[2]))
        raise ClientValidationError(
            f"a fleet task id is HOST:ID (e.g. 'pc-2:1041') or a FleetTaskId, got {value!r}",
            field="task_id",
        )
