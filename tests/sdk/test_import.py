"""What ``import tikmatrix_sdk`` loads, and the names it loads on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tikmatrix_sdk


def _modules_after(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` are loaded after running ``code`` in a fresh interpreter.

    A module the SDK holds through ``lazy_module`` is in ``sys.modules`` before it runs; it
    counts once it has run (it is no longer an ``importlib.util`` lazy module then).
    """
    probe = (
        f"{code}\nimport sys\n"
        f"print(sorted(n for n in {names!r} if n in sys.modules"
        f" and type(sys.modules[n]).__name__ != '_LazyModule'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: list[str] = eval(done.stdout)  # a printed list of names
    return loaded


HEAVY = ("attrs", "cattrs", "anyio", "tikmatrix_sdk.models", "tikmatrix_sdk.scripts")


def test_importing_and_building_a_client_loads_nothing_it_does_not_need() -> None:
    assert _modules_after("import tikmatrix_sdk", HEAVY) == []
    # httpx's own transport loads anyio when a client is built; the SDK adds nothing to it.
    code = "from tikmatrix_sdk import TikMatrix\nTikMatrix('http://tikmatrix.invalid').close()"
    assert _modules_after(code, HEAVY) == ["anyio"]


#: What a default install's ``import httpx`` leaves out: httpx's command-line extras.
_DEFAULT_INSTALL = (
    "import sys\nfor name in ('click', 'rich', 'pygments'):\n    sys.modules[name] = None\n"
)
#: What only a client's first use of a resource or a lease needs.
LATE = ("tikmatrix_sdk.resources", "tikmatrix_sdk._signatures", "tikmatrix_sdk._binders")


def test_the_resources_load_with_a_clients_first_use_of_one() -> None:
    code = f"{_DEFAULT_INSTALL}import tikmatrix_sdk\nimport httpx"
    assert _modules_after(code, LATE) == []
    code += "\nclient = tikmatrix_sdk.TikMatrix('http://tikmatrix.invalid')\nclient.close()"
    assert _modules_after(code, LATE) == []
    assert _modules_after(f"{code}\nclient.tasks", LATE) == [
        "tikmatrix_sdk._binders",
        "tikmatrix_sdk._signatures",
        "tikmatrix_sdk.resources",
    ]
    code = f"{_DEFAULT_INSTALL}from tikmatrix_sdk import LeasedDevice"
    assert "tikmatrix_sdk.resources" in _modules_after(code, LATE)


def test_a_probe_for_a_private_name_loads_nothing() -> None:
    code = "import tikmatrix_sdk\nassert not hasattr(tikmatrix_sdk, '_pytest_probe')"
    assert _modules_after(code, HEAVY) == []


def test_the_models_load_with_the_first_name_that_needs_them() -> None:
    # Which module holds a lazy name is read from the modules' own ``__all__``, the models'
    # first: a config's name loads the models too (any call's answer needs them anyway).
    code = "import tikmatrix_sdk\ntikmatrix_sdk.PostConfig"
    assert _modules_after(code, HEAVY) == ["attrs", "tikmatrix_sdk.models", "tikmatrix_sdk.scripts"]
    code = "import tikmatrix_sdk\ntikmatrix_sdk.TaskStatus"
    assert _modules_after(code, HEAVY) == ["attrs", "tikmatrix_sdk.models"]


def test_lazy_names_say_they_live_in_the_package() -> None:
    code = (
        "from tikmatrix_sdk import _converter, models\n"
        "print(type(_converter.structure({'id': 1, 'status': 0}, models.Task)).__module__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[0] == "tikmatrix_sdk"
    assert tikmatrix_sdk.Task.__module__ == "tikmatrix_sdk"
    assert tikmatrix_sdk.FollowConfig.__module__ == "tikmatrix_sdk"
    for name in ("LeasedDevice", "DeviceLease", "AsyncDeviceLease", "UiNode"):
        assert getattr(tikmatrix_sdk, name).__module__ == "tikmatrix_sdk"


def test_every_public_name_is_there_and_listed() -> None:
    for name in tikmatrix_sdk.__all__:
        assert getattr(tikmatrix_sdk, name) is not None
        assert name in dir(tikmatrix_sdk)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        tikmatrix_sdk.Nope  # noqa: B018


def test_the_lazy_names_are_exactly_the_models_and_the_configs() -> None:
    from tikmatrix_sdk import models, scripts
    from tikmatrix_sdk._contract import shapes

    lazy = tikmatrix_sdk._lazy_names()
    assert {name for name, module in lazy.items() if module == "models"} == set(models.__all__)
    assert set(models.__all__) == {*shapes.__all__, *shapes.EXTENDED}
    assert {name for name, module in lazy.items() if module == "scripts"} == set(scripts.__all__)
    assert set(lazy) <= set(tikmatrix_sdk.__all__)


_RACE = """
import threading
import tikmatrix_sdk._endpoint as endpoint
from tikmatrix_sdk.resources import tasks

barrier = threading.Barrier(8)
errors = []

def first_answer():
    barrier.wait()
    try:
        endpoint._converter.structure
        tasks.models.Task
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=first_answer) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors)
"""


def test_threads_reading_a_lazy_module_at_once_all_see_it_whole() -> None:
    # importlib's LazyLoader let a second thread read a half-executed module (Python < 3.12.3):
    # a fleet's first calls, made on several threads, failed to read their answers.
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", _RACE], capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == "[]", done.stdout
