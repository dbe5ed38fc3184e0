"""Every answer's shape, written once: the SDK's models, the JSON Schemas, the writers.

Each shape is a frozen, keyword-only ``attrs`` class. It is at once

- the SDK's model of that answer (``tikmatrix_sdk.models`` exports these classes, adding
  behaviour only where the SDK needs its own, as :attr:`Task.config`), read by the SDK's
  converter, which generates a fast reader per class from its fields;
- the answer's JSON Schema (:func:`schema_of`, then the OpenAPI document and the tests'
  answer checks), drawn from the fields' types and the bounds in their ``metadata``;
- what the reference server writes (:func:`write`, from its stored rows) and the mock
  writes (a shape's ``to_dict``): the fields in order, each value as the wire carries it.

A field's Python type says what the SDK accepts (a ``None`` default where another TikMatrix
version may leave it out); its ``wire`` metadata says what the reference server sends when
the two differ (see :func:`wire`). Every model keeps the keys it does not know in ``extra``.
"""

from __future__ import annotations

import enum
import functools
import types
from collections.abc import Callable, Hashable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Union, cast, get_args, get_origin

import attrs

from . import limits
from .codes import FORBIDDEN

#: The public models that ``tikmatrix_sdk.models`` exports as they are (it adds to ``Task``
#: and ``TaskPage``: see :data:`EXTENDED`).
__all__ = [
    "Account",
    "AccountPage",
    "CreatedTasks",
    "DeletedTasks",
    "Device",
    "DeviceInfo",
    "Lease",
    "License",
    "ListedLease",
    "RetriedTasks",
    "TaskSource",
    "TaskStats",
    "TaskStatus",
]


class TaskStatus(enum.IntEnum):
    """Where a task is in its life: the API's ``status`` codes.

    A code the SDK does not know (a newer TikMatrix's) is a pseudo-member of its own:
    ``TaskStatus(7)`` is named ``UNKNOWN_7``, equals ``7``, and is not finished.
    """

    PENDING = 0
    RUNNING = 1
    COMPLETED = 2
    FAILED = 3

    @classmethod
    def _missing_(cls, value: object) -> TaskStatus | None:
        if isinstance(value, int) and not isinstance(value, bool):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return member
        return None

    @property
    def is_finished(self) -> bool:
        """Whether the task has stopped for good (completed or failed)."""
        return self in (TaskStatus.COMPLETED, TaskStatus.FAILED)

    def __str__(self) -> str:
        """The status in words (``"completed"``); ``int(status)`` is the wire value."""
        return self.name.lower()

    def __format__(self, spec: str) -> str:
        """``f"{status}"`` in words too; a number format (``f"{status:d}"``) gives the code."""
        return str(self) if not spec else format(int(self), spec)


class TaskSource(str, enum.Enum):  # noqa: UP042 - StrEnum would change str() of a released type
    """Who created a task: TikMatrix's own window (``ui``) or the local API (``api``).

    A source the SDK does not know is a pseudo-member of its own (``TaskSource("web")``,
    named ``UNKNOWN``), equal to its text; the known ones are read in any case.
    """

    UI = "ui"
    API = "api"

    @classmethod
    def _missing_(cls, value: object) -> TaskSource | None:
        if isinstance(value, str):
            for member in cls:
                if member.value == value.lower():
                    return member
            found = str.__new__(cls, value)
            found._name_ = "UNKNOWN"
            found._value_ = value
            return found
        return None

    def __str__(self) -> str:
        return self.value


def wire(*, nullable: bool | None = None, optional: bool = False, **schema: Any) -> dict[str, Any]:
    """A field's ``metadata``: what its wire form adds to its type.

    ``schema`` holds JSON Schema keywords (``minimum=1``, ``pattern=…``, ``enum=[…]``);
    ``nullable=False`` says the reference server never sends ``null`` where the SDK's type
    admits ``None`` (another TikMatrix may leave the key out); ``optional=True`` says the key
    may be missing from an answer of the reference server itself.
    """
    return {"schema": schema, "nullable": nullable, "optional": optional}


def _extra() -> Any:
    return attrs.field(factory=dict, repr=False, eq=False, kw_only=True)


class Shape:
    """What every answer's model shares: ``extra``, and writing itself back as JSON.

    The models keep their fields in an instance ``__dict__`` rather than slots: the SDK's
    converter fills a model from an answer by handing it one ready dict, several times faster
    than setting each slot in turn. A model may rename keys of the answer before it is read
    (``_wire_aliases``), for the variants the contract tolerates.
    """

    #: Read and written by the SDK's converter.
    __api_model__: ClassVar[bool] = True
    extra: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return the model as the JSON-ready mapping the server sent, unknown fields included."""
        result = dict(self.extra)
        for field in attrs.fields(cast("type[Any]", type(self))):
            if field.name != "extra":
                result[field.name] = _json_value(getattr(self, field.name))
        return result


def _json_value(value: Any) -> Any:
    if isinstance(value, Shape):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _json_value(item) for key, item in value.items()}
    return value


@attrs.frozen(kw_only=True, slots=False)
class Task(Shape):
    """One task: a script to run on a device or for an account.

    ``script_config`` is the configuration as the server stored it (defaults filled in).
    Times are timezone-aware; times the server sends without an offset are taken as local.
    """

    # The fields in the order the wire carries them (keyword-only: a required one may follow).
    id: int = attrs.field(metadata=wire(minimum=1))
    serial: str | None = None
    username: str | None = None
    script_name: str = ""
    script_config: Mapping[str, Any] = attrs.field(factory=dict)
    status: TaskStatus
    source: TaskSource | None = attrs.field(default=None, metadata=wire(nullable=False))
    enable_multi_account: bool = False
    start_time: str | None = attrs.field(
        default=None, metadata=wire(pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )
    scheduled_at: datetime | None = None
    retry_count: int = attrs.field(default=0, metadata=wire(minimum=0))
    remark: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    extra: Mapping[str, Any] = _extra()

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        # TikMatrix may send the configuration as a JSON string under its internal name.
        if "script_config" not in data and isinstance(data.get("script_args"), str):
            import json

            data = dict(data)
            raw = data.pop("script_args")
            try:
                data["script_config"] = json.loads(raw) if raw.strip() else {}
            except ValueError:
                data["script_args"] = raw
        return data

    @property
    def is_finished(self) -> bool:
        """Whether the task is completed or failed (an unknown status counts as not finished)."""
        return self.status in (TaskStatus.COMPLETED, TaskStatus.FAILED)


@attrs.frozen(kw_only=True, slots=False)
class _Page(Shape):
    """Where a page stands in its list."""

    total: int = attrs.field(metadata=wire(minimum=0))
    page: int = attrs.field(default=1, metadata=wire(minimum=1))
    page_size: int = attrs.field(default=20, metadata=wire(minimum=1, maximum=limits.MAX_PAGE_SIZE))
    extra: Mapping[str, Any] = _extra()

    @property
    def items(self) -> tuple[Any, ...]:
        """The page's items."""
        raise NotImplementedError

    @property
    def has_next(self) -> bool:
        """Whether a later page holds more items."""
        return bool(self.items) and self.page * self.page_size < self.total


@attrs.frozen(kw_only=True, slots=False)
class TaskPage(_Page):
    """One page of ``GET /task``: the tasks, newest first, and where the page stands."""

    tasks: tuple[Task, ...]

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        if "tasks" not in data:
            for alias in ("items", "list"):
                if alias in data:
                    data = dict(data)
                    data["tasks"] = data.pop(alias)
                    break
        return data

    @property
    def items(self) -> tuple[Task, ...]:
        """The page's tasks."""
        return self.tasks

    def item_key(self, item: Task, /) -> Hashable:
        """What tells two tasks apart: the id."""
        return item.id


@attrs.frozen(kw_only=True, slots=False)
class CreatedTasks(Shape):
    """What ``POST /task`` created: one id per task, all or nothing."""

    task_ids: tuple[int, ...]
    created_count: int
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, slots=False)
class DeletedTasks(Shape):
    """What a delete removed, and (for a batch) which ids did not exist."""

    deleted_count: int
    task_ids: tuple[int, ...] = ()
    not_found_ids: tuple[int, ...] = attrs.field(default=(), metadata=wire(optional=True))
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, slots=False)
class RetriedTasks(Shape):
    """What ``POST /task/retry-all`` put back in the queue."""

    retried_count: int
    task_ids: tuple[int, ...] = ()
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, slots=False)
class TaskStats(Shape):
    """Task counts by status."""

    total: int = attrs.field(metadata=wire(minimum=0))
    pending: int = attrs.field(default=0, metadata=wire(minimum=0))
    running: int = attrs.field(default=0, metadata=wire(minimum=0))
    completed: int = attrs.field(default=0, metadata=wire(minimum=0))
    failed: int = attrs.field(default=0, metadata=wire(minimum=0))
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, slots=False)
class License(Shape):
    """The license's plan and whether it allows the local API."""

    plan_name: str
    api_enabled: bool
    device_limit: int | None = attrs.field(default=None, metadata=wire(nullable=False))
    message: str = ""
    extra: Mapping[str, Any] = _extra()

    @property
    def code(self) -> int:
        """The API's code for this license, 0 when it allows the API and 40301 when not.

        40301 is what every call but ``license.check()`` raises on such a plan
        (:class:`~tikmatrix_sdk.LicenseError`).
        """
        return 0 if self.api_enabled else FORBIDDEN


@attrs.frozen(kw_only=True, slots=False)
class Account(Shape):
    """A TikTok or Instagram account that TikMatrix knows, and the device it lives on."""

    id: int | None = attrs.field(default=None, metadata=wire(nullable=False))
    username: str
    device: str | None = attrs.field(default=None, metadata=wire(nullable=False))
    platform: str | None = attrs.field(default=None, metadata=wire(nullable=False))
    logined: bool | None = attrs.field(default=None, metadata=wire(nullable=False))
    status: int | None = attrs.field(default=None, metadata=wire(nullable=False))
    tag: str | None = attrs.field(default=None, metadata=wire(nullable=False))
    extra: Mapping[str, Any] = _extra()

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        if "device" not in data and "serial" in data:
            data = dict(data)
            data["device"] = data.pop("serial")
        return data


@attrs.frozen(kw_only=True, slots=False)
class AccountPage(_Page):
    """One page of ``GET /accounts``."""

    accounts: tuple[Account, ...]

    @property
    def items(self) -> tuple[Account, ...]:
        """The page's accounts."""
        return self.accounts

    def item_key(self, item: Account, /) -> Hashable:
        """What tells two accounts apart: the id and the username."""
        return (item.id, item.username)


@attrs.frozen(kw_only=True, slots=False)
class Device(Shape):
    """A device as the device API lists it: free to lease, or held by a task or a lease.

    Only ``serial`` and ``busy`` are documented by TikMatrix; the rest is what the reference
    server adds, ``None`` where a server does not say.
    """

    serial: str
    busy: bool = False
    kind: str | None = attrs.field(
        default=None, metadata=wire(nullable=False, enum=["simulated", "adb", "virtual"])
    )
    online: bool | None = attrs.field(default=None, metadata=wire(nullable=False))
    task_id: int | None = None
    leased: bool | None = attrs.field(default=None, metadata=wire(nullable=False))
    lease_label: str | None = None
    extra: Mapping[str, Any] = _extra()

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        if "serial" not in data and isinstance(data.get("udid"), str):
            data = dict(data)
            data["serial"] = data.pop("udid")
        return data


@attrs.frozen(kw_only=True, slots=False)
class _LeaseTerms(Shape):
    """What every lease shows: its device, holder's label, and how long it lasts."""

    serial: str | None = attrs.field(default=None, metadata=wire(nullable=False))
    label: str = ""
    ttl_secs: float | None = attrs.field(
        default=None,
        metadata=wire(
            nullable=False,
            minimum=1,
            maximum=limits.MAX_SCRIPT_TIMEOUT,
            description=f"at most {limits.MAX_TTL:g} s, but a custom script's task's lease lasts "
            "its timeout",
        ),
    )
    created_at: datetime | None = None
    expires_at: datetime | None = None
    expires_in: float | None = attrs.field(default=None, metadata=wire(nullable=False, minimum=0))
    task_id: int | None = None
    extra: Mapping[str, Any] = _extra()

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        for alias in ("id", "session", "sessionId"):
            if "session_id" not in data and isinstance(data.get(alias), str):
                data = dict(data)
                data["session_id"] = data.pop(alias)
        return data


@attrs.frozen(kw_only=True, slots=False)
class Lease(_LeaseTerms):
    """A device lent to a program: its ``session_id`` goes with every device call."""

    session_id: str = attrs.field(
        metadata=wire(description="the lease's id: send it in x-session-id")
    )


@attrs.frozen(kw_only=True, slots=False)
class ListedLease(_LeaseTerms):
    """A live lease as :meth:`~tikmatrix_sdk.resources.Devices.leases` lists it.

    Its ``session_id`` is there only for a lease the caller presented as its own
    (``None`` otherwise): anyone with the id could drive, renew or release the device.
    """

    session_id: str | None = attrs.field(
        default=None,
        metadata=wire(
            description="the lease's id: null in the listing, unless the caller presents it in "
            "x-session-id"
        ),
    )


@attrs.frozen(kw_only=True, slots=False)
class DeviceInfo(Shape):
    """What uiautomator2's ``deviceInfo`` reports of a leased device."""

    product_name: str | None = None
    display_width: int | None = None
    display_height: int | None = None
    display_rotation: int | None = None
    sdk_int: int | None = None
    current_package_name: str | None = None
    screen_on: bool | None = None
    extra: Mapping[str, Any] = _extra()

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        names = {
            "productName": "product_name",
            "displayWidth": "display_width",
            "displayHeight": "display_height",
            "displayRotation": "display_rotation",
            "sdkInt": "sdk_int",
            "currentPackageName": "current_package_name",
            "screenOn": "screen_on",
        }
        return {names.get(key, key): value for key, value in data.items()}


def schema_name(shape: type[Shape]) -> str:
    """The name of a shape's component schema: its class name."""
    return shape.__name__.lstrip("_")


#: Every answer's shape by its schema name (a leading underscore dropped), in order.
SHAPES: dict[str, type[Shape]] = {}
for _value in list(globals().values()):
    if (
        isinstance(_value, type)
        and issubclass(_value, Shape)
        and _value is not Shape
        and _value.__name__[0] != "_"
    ):
        attrs.resolve_types(cast("type[Any]", _value))
        SHAPES[schema_name(_value)] = _value
del _value


#: The shapes the SDK's models add behaviour to (and so define, on these).
EXTENDED = ("Task", "TaskPage")


def _fields(shape: type[Shape]) -> list[attrs.Attribute[Any]]:
    return [field for field in attrs.fields(cast("type[Any]", shape)) if field.name != "extra"]


_JSON_TYPES: dict[Any, str] = {
    int: "integer",
    str: "string",
    bool: "boolean",
    float: "number",
}


def _type_schema(type_: Any, nullable: bool | None) -> dict[str, Any]:
    """The JSON Schema of a field's Python type."""
    args = get_args(type_)
    if get_origin(type_) in (Union, types.UnionType):
        enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
        rest = [a for a in args if a is not type(None) and a not in enums]
        null = type(None) in args if nullable is None else nullable
        found: dict[str, Any]
        if enums:
            values = [member.value for member in enums[0]]
            found = {"type": "integer" if isinstance(values[0], int) else "string"}
            found["enum"] = values + ([None] if null else [])
        elif len(rest) == 1:
            found = _type_schema(rest[0], False)
        else:  # pragma: no cover - no shape has such a field
            raise TypeError(f"no schema for {type_!r}")
        if null:
            found["type"] = [found["type"], "null"]
        return found
    if get_origin(type_) is tuple:
        return {"type": "array", "items": _type_schema(args[0], None)}
    if get_origin(type_) is Mapping or type_ is Mapping:
        return {"type": "object"}
    if type_ is datetime:
        return {"type": "string", "format": "date-time"}
    if isinstance(type_, type) and issubclass(type_, Shape):
        return {"$ref": f"#/components/schemas/{schema_name(type_)}"}
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        values = [member.value for member in type_]
        return {"type": "integer" if isinstance(values[0], int) else "string", "enum": values}
    return {"type": _JSON_TYPES[type_]}


def schema_of(shape: type[Shape]) -> dict[str, Any]:
    """The JSON Schema of what the reference server answers with this shape."""
    properties: dict[str, Any] = {}
    required = []
    for field in _fields(shape):
        found = _type_schema(field.type, field.metadata.get("nullable"))
        found.update(field.metadata.get("schema", {}))
        properties[field.name] = found
        if not field.metadata.get("optional"):
            required.append(field.name)
    return {"type": "object", "properties": properties, "required": required}


_WRITING: dict[type[Shape], tuple[tuple[str, bool], ...]] = {}


def _writing(shape: type[Shape]) -> tuple[tuple[str, bool], ...]:
    """Each field's name, and whether it is a date-time (read once per shape)."""
    found = _WRITING.get(shape)
    if found is None:
        found = tuple((field.name, field.type == datetime | None) for field in _fields(shape))
        _WRITING[shape] = found
    return found


def _same(value: Any) -> Any:
    return value


def write(
    shape: type[Shape], values: Any, *, time: Callable[[Any], str | None] = _same
) -> dict[str, Any]:
    """An answer of ``shape`` as the wire carries it, from its fields' values by name.

    ``values`` is a mapping or an object (a stored row) and may hold more than the shape: only
    the shape's fields are written, in its order; a date-time field's value goes through
    ``time`` (the server stores seconds since the epoch), an enum member is written as its
    value.
    """
    get: Callable[[str], Any] = (
        values.__getitem__ if isinstance(values, Mapping) else functools.partial(getattr, values)
    )
    answer: dict[str, Any] = {}
    for name, is_time in _writing(shape):
        value = get(name)
        if is_time:
            value = time(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        answer[name] = value
    return answer


def names(shape: type[Shape]) -> tuple[str, ...]:
    """The shape's fields' names, in order."""
    return tuple(field.name for field in _fields(shape))
