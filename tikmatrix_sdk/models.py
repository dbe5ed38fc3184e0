"""The objects the API returns, as frozen, keyword-only ``attrs`` classes.

Each model is the contract's shape of its answer (``tikmatrix_sdk._contract.shapes``, where
its fields are written once); this module adds what only the SDK can say, such as
:attr:`Task.config`. Every model keeps the fields it does not know in ``extra``, so nothing
the server sends is lost when TikMatrix adds a field before this SDK knows it. An enumerated
value the SDK does not know (a new task status, a new source) is a pseudo-member of its enum
(``TaskStatus(7)``, named ``UNKNOWN_7``), so that ``task.status.name`` always type-checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ._contract import shapes
from ._contract.shapes import *  # noqa: F403 - the models are the contract's shapes
from ._public import say_public

if TYPE_CHECKING:
    from .scripts import ScriptConfig

__all__ = ["Task", "TaskPage"]
__all__ += shapes.__all__

#: The models' base (tests and examples define models of their own on it).
_Model = shapes.Shape


@attrs.frozen(kw_only=True, slots=False)
class Task(shapes.Task):
    """One task: a script to run on a device or for an account.

    ``script_config`` is the configuration as the server stored it (defaults filled in);
    :attr:`config` reads it into the script's typed class when the SDK knows the script.
    Times are timezone-aware; times the server sends without an offset are taken as local.
    """

    @property
    def config(self) -> ScriptConfig | None:
        """The ``script_config`` as its typed class, or ``None`` for a script the SDK lacks."""
        from .scripts import config_from_dict

        return config_from_dict(self.script_name, self.script_config)


@attrs.frozen(kw_only=True, slots=False)
class TaskPage(shapes.TaskPage):
    """One page of ``GET /task``: the tasks, newest first, and where the page stands."""

    tasks: tuple[Task, ...]

    @property
    def items(self) -> tuple[Task, ...]:
        """The page's tasks."""
        return self.tasks


attrs.resolve_types(Task)
attrs.resolve_types(TaskPage)
say_public(__all__, globals())
say_public(shapes.__all__, vars(shapes))  # the shapes the SDK exports as they are
