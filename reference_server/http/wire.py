"""The server's answers as the contract writes them: a stored row into its JSON object.

Requests are parsed by the contract's own functions (``tikmatrix_sdk._contract``), which the
mock calls too; this module holds only what needs the server's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import attrs

from tikmatrix_sdk._contract import shapes
from tikmatrix_sdk._contract.shapes import write

from .. import fast_json
from ..clock import to_iso
from ..domain.store import STORED_TASK_COLUMNS, AccountRow, StoredTask, TaskRow

__all__ = ["account_json", "stored_tasks_json", "task_json"]


def task_json(task: TaskRow) -> dict[str, Any]:
    """A task as the contract writes it: its shape's fields, the stored times in ISO 8601."""
    return write(shapes.Task, task, time=to_iso)


def _stored_writer(
    shape: type[shapes.Shape], columns: Sequence[str]
) -> Callable[[Sequence[StoredTask]], list[dict[str, Any]]]:
    """Write the function that turns stored rows into ``shape``'s JSON objects, in one pass.

    What :func:`task_json` writes from a :class:`TaskRow`, written from the row as stored
    (see :data:`~reference_server.domain.store.StoredTask`): no row object, no attrs class,
    no generic writer. The configuration's stored text is read again rather than copied in
    as it is: stores written by earlier versions hold it with spaces and ASCII escapes, and
    an answer is the same bytes whatever wrote its rows. The source is made from the
    shape's own fields, so the two writers cannot drift; ``tests/server`` compares them.
    """
    model = cast("type[Any]", shape)
    attrs.resolve_types(model)
    values = []
    for field in attrs.fields(model):
        if field.name == "extra":
            continue
        value = f"r[{columns.index(field.name)}]"
        if field.type == datetime | None:
            value = f"_iso({value})"
        elif field.type == Mapping[str, Any]:
            value = f"_loads({value})"
        elif field.type is bool:
            value = f"{value} == 1"
        values.append(f"{field.name!r}: {value}")
    source = f"def write(rows):\n    return [{{{', '.join(values)}}} for r in rows]\n"
    namespace: dict[str, Any] = {"_iso": to_iso, "_loads": fast_json.loads}
    exec(compile(source, f"<stored {shape.__name__} writer>", "exec"), namespace)
    writer: Callable[[Sequence[StoredTask]], list[dict[str, Any]]] = namespace["write"]
    return writer


#: Stored tasks as the contract writes them (a page's answer), straight from the rows.
stored_tasks_json = _stored_writer(shapes.Task, STORED_TASK_COLUMNS)


def account_json(account: AccountRow) -> dict[str, Any]:
    """An account as the contract writes it."""
    return write(shapes.Account, account)
