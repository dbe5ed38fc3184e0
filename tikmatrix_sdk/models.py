"""The objects the API returns, as frozen, keyword-only ``attrs`` classes.

Every model keeps the fields it does not know in ``extra``, so nothing the server sends is lost
when TikMatrix adds a field before this SDK knows it. Enumerated values the SDK does not know
(a new task status, a new source) stay as the plain ``int`` or ``str`` the server sent.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from . import _json
from ._public import say_public

if TYPE_CHECKING:
    from .scripts import ScriptConfig

__all__ = [
    "Account",
    "AccountPage",
    "CreatedTasks",
    "DeletedTasks",
    "Device",
    "DeviceInfo",
    "Lease",
    "ListedLease",
    "License",
    "RetriedTasks",
    "Task",
    "TaskPage",
    "TaskSource",
    "TaskStats",
    "TaskStatus",
]

_NO_EXTRA: Mapping[str, Any] = {}


class TaskStatus(enum.IntEnum):
    """Where a task is in its life: the API's ``status`` codes."""

    PENDING = 0
    RUNNING = 1
    COMPLETED = 2
    FAILED = 3

    @property
    def is_finished(self) -> bool:
        """Whether the task has stopped for good (completed or failed)."""
        return self >= TaskStatus.COMPLETED

    def __str__(self) -> str:
        """The status in words (``"completed"``); ``int(status)`` is the wire value."""
        return self.name.lower()

    def __format__(self, spec: str) -> str:
        """``f"{status}"`` in words too; a number format (``f"{status:d}"``) gives the code."""
        return str(self) if not spec else format(int(self), spec)


class TaskSource(str, enum.Enum):  # noqa: UP042 - StrEnum would change str() of a released type
    """Who created a task: TikMatrix's own window (``ui``) or the local API (``api``)."""

    UI = "ui"
    API = "api"

    def __str__(self) -> str:
        return self.value


def _extra_field() -> Any:
    return attrs.field(factory=dict, repr=False, eq=False, kw_only=True)


class _Model:
    """Shared behaviour of the API's models.

    The models keep their fields in an instance ``__dict__`` rather than slots: the converter
    fills a model from an answer by handing it one ready dict, several times faster than
    setting each slot in turn (see ``_converter``). A model may rename keys of the answer
    before it is read (``_wire_aliases``), for the variants the contract tolerates.
    """

    #: Read and written by the SDK's converter.
    __api_model__ = True

    def to_dict(self) -> dict[str, Any]:
        """Return the model as the JSON-ready mapping the server sent, unknown fields included."""
        from ._converter import converter

        result: dict[str, Any] = converter.unstructure(self)
        return result


@attrs.frozen(kw_only=True, slots=False)
class Task(_Model):
    """One task: a script to run on a device or for an account.

    ``script_config`` is the configuration as the server stored it (defaults filled in);
    :attr:`config` reads it into the script's typed class when the SDK knows the script.
    Times are timezone-aware; times the server sends without an offset are taken as local.
    """

    id: int
    status: TaskStatus | int
    script_name: str = ""
    serial: str | None = None
    username: str | None = None
    script_config: Mapping[str, Any] = attrs.field(factory=dict)
    source: TaskSource | str | None = None
    enable_multi_account: bool = False
    start_time: str | None = None
    scheduled_at: datetime | None = None
    retry_count: int = 0
    remark: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        # TikMatrix may send the configuration as a JSON string under its internal name.
        if "script_config" not in data and isinstance(data.get("script_args"), str):
            data = dict(data)
            raw = data.pop("script_args")
            try:
                data["script_config"] = _json.loads(raw) if raw.strip() else {}
            except ValueError:
                data["script_args"] = raw
        return data

    @property
    def is_finished(self) -> bool:
        """Whether the task is completed or failed (an unknown status counts as not finished)."""
        return self.status in (TaskStatus.COMPLETED, TaskStatus.FAILED)

    @property
    def config(self) -> ScriptConfig | None:
        """The ``script_config`` as its typed class, or ``None`` for a script the SDK lacks."""
        from .scripts import config_from_dict

        return config_from_dict(self.script_name, self.script_config)


@attrs.frozen(kw_only=True, slots=False)
class _Page(_Model):
    """Where a page stands in its list."""

    total: int
    page: int = 1
    page_size: int = 20
    extra: Mapping[str, Any] = _extra_field()

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
class CreatedTasks(_Model):
    """What ``POST /task`` created: one id per task, all or nothing."""

    task_ids: tuple[int, ...]
    created_count: int
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, slots=False)
class DeletedTasks(_Model):
    """What a delete removed, and (for a batch) which ids did not exist."""

    deleted_count: int
    task_ids: tuple[int, ...] = ()
    not_found_ids: tuple[int, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, slots=False)
class RetriedTasks(_Model):
    """What ``POST /task/retry-all`` put back in the queue."""

    retried_count: int
    task_ids: tuple[int, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, slots=False)
class TaskStats(_Model):
    """Task counts by status."""

    total: int
    pending: int = 0
    running: int = 0
    completed: int = 0
    failed: int = 0
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, slots=False)
class License(_Model):
    """The license's plan and whether it allows the local API."""

    plan_name: str
    api_enabled: bool
    device_limit: int | None = None
    message: str = ""
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, slots=False)
class Account(_Model):
    """A TikTok or Instagram account that TikMatrix knows, and the device it lives on."""

    username: str
    id: int | None = None
    device: str | None = None
    platform: str | None = None
    logined: bool | None = None
    status: int | None = None
    tag: str | None = None
    extra: Mapping[str, Any] = _extra_field()

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
class Device(_Model):
    """A device as the device API lists it: free to lease, or held by a task or a lease.

    Only ``serial`` and ``busy`` are documented by TikMatrix; the rest is what the reference
    server adds, ``None`` where a server does not say.
    """

    serial: str
    busy: bool = False
    kind: str | None = None
    online: bool | None = None
    task_id: int | None = None
    leased: bool | None = None
    lease_label: str | None = None
    extra: Mapping[str, Any] = _extra_field()

    @staticmethod
    def _wire_aliases(data: dict[str, Any]) -> dict[str, Any]:
        if "serial" not in data and isinstance(data.get("udid"), str):
            data = dict(data)
            data["serial"] = data.pop("udid")
        return data


@attrs.frozen(kw_only=True, slots=False)
class _LeaseTerms(_Model):
    """What every lease shows: its device, holder's label, and how long it lasts."""

    serial: str | None = None
    label: str = ""
    ttl_secs: float | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    expires_in: float | None = None
    task_id: int | None = None
    extra: Mapping[str, Any] = _extra_field()

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

    session_id: str


@attrs.frozen(kw_only=True, slots=False)
class ListedLease(_LeaseTerms):
    """A live lease as :meth:`~tikmatrix_sdk.resources.Devices.leases` lists it.

    Its ``session_id`` is there only for a lease the caller presented as its own
    (``None`` otherwise): anyone with the id could drive, renew or release the device.
    """

    session_id: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class DeviceInfo(_Model):
    """What uiautomator2's ``deviceInfo`` reports of a leased device."""

    product_name: str | None = None
    display_width: int | None = None
    display_height: int | None = None
    display_rotation: int | None = None
    sdk_int: int | None = None
    current_package_name: str | None = None
    screen_on: bool | None = None
    extra: Mapping[str, Any] = _extra_field()

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


# Read every model's annotations here, where their names are, before the classes say they
# live in ``tikmatrix_sdk``: the converter then finds the types already resolved.
for _name in __all__:
    if attrs.has(globals()[_name]):
        attrs.resolve_types(globals()[_name])
del _name
say_public(__all__, globals())
