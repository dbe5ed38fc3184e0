"""How much the SDK costs over raw httpx, measured in one run on the same MockTransport.

Several ways to fetch the same answers are timed in turns:

* raw: ``httpx.Client.get`` plus ``json.loads`` of the body (the floor any client pays);
* sdk: ``TikMatrix.tasks.list`` / ``tasks.get`` (request building, envelope, models) as
  installed: msgspec's one pass where it is installed;
* two-step: the same with the one pass off (orjson, then the generated readers), and
  "sdk-json" with the standard library's ``json`` too, as on PyPy;
* pydantic: raw httpx plus a pydantic v2 model of the same shape (``model_validate_json``), the
  way the Stainless-built SDKs decode; a peer figure, installed for this benchmark only.

It prints times per call and the ratios against raw, never asserting a time: these machines are
shared and noisy, so only ratios measured in one process mean anything. Run it with
``python bench/sdk_overhead.py`` (``pip install -e .[bench]`` first).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx
from _turns import best_of_turns  # bench/ is on the path: these files run as scripts

from tikmatrix_sdk import TikMatrix, _json, _one_pass

BASE = "http://bench.invalid"


def _task(task_id: int) -> dict[str, Any]:
    return {
        "id": task_id,
        "serial": f"device_serial_{task_id % 20 + 1}",
        "username": None,
        "script_name": "post",
        "script_config": {
            "content_type": 0,
            "captions": "Check out my new video! #viral #fyp",
            "material_list": [f"C:/Videos/video{task_id}.mp4"],
            "upload_wait_time": 60,
        },
        "status": task_id % 4,
        "source": "api",
        "enable_multi_account": False,
        "start_time": "14:30",
        "scheduled_at": "2026-11-23T14:30:00+01:00",
        "retry_count": 0,
        "remark": "",
        "created_at": "2026-11-23T13:02:11+01:00",
        "started_at": "2026-11-23T14:30:02+01:00" if task_id % 4 else None,
        "finished_at": "2026-11-23T14:31:40+01:00" if task_id % 4 >= 2 else None,
    }


def _page(task: Callable[[int], dict[str, Any]]) -> bytes:
    """The answer of a 100-task page, each task made by ``task``."""
    data = {"tasks": [task(i) for i in range(100, 0, -1)], "total": 1000, "page": 1}
    return json.dumps(
        {"code": 0, "message": "success", "data": {**data, "page_size": 100}}
    ).encode()


PAGE = _page(_task)
ONE = json.dumps({"code": 0, "message": "success", "data": _task(7)}).encode()


def _other_version(task_id: int) -> dict[str, Any]:
    """A task as another TikMatrix version may send it: three optional keys left out, one
    key the SDK does not know."""
    task = _task(task_id)
    for key in ("source", "start_time", "remark"):
        del task[key]
    return {**task, "device_group": "farm-a"}


OTHER = _page(_other_version)


def _handler(request: httpx.Request) -> httpx.Response:
    if request.url.params.get("source") == "other":  # the other version's page
        return httpx.Response(200, content=OTHER, headers={"Content-Type": "application/json"})
    body = ONE if request.url.path.startswith("/api/v1/task/") else PAGE
    return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})


def _pydantic_models() -> tuple[Any, Any] | None:
    try:
        import pydantic
    except ImportError:
        return None

    class PTask(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="allow", frozen=True)
        id: int
        status: int
        script_name: str = ""
        serial: str | None = None
        username: str | None = None
        script_config: dict[str, Any] = {}
        source: str | None = None
        enable_multi_account: bool = False
        start_time: str | None = None
        scheduled_at: datetime | None = None
        retry_count: int = 0
        remark: str = ""
        created_at: datetime | None = None
        started_at: datetime | None = None
        finished_at: datetime | None = None

    class PPage(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="allow", frozen=True)
        tasks: list[PTask]
        total: int
        page: int = 1
        page_size: int = 20

    class PPageEnvelope(pydantic.BaseModel):
        code: int
        message: str
        data: PPage

    class POneEnvelope(pydantic.BaseModel):
        code: int
        message: str
        data: PTask

    return PPageEnvelope, POneEnvelope


def _cattrs_generated() -> Callable[[Any], object]:
    """The page read by cattrs' own generated hooks (``make_dict_structure_fn``).

    The same lenient readers for each field type as the SDK's converter, and the same
    handling of aliases and unknown keys: only the model's structure function differs. This
    is the alternative the SDK's generated reader was measured against.
    """
    import attrs
    import cattrs
    from cattrs.gen import make_dict_structure_fn, override

    from tikmatrix_sdk import _converter as sdk
    from tikmatrix_sdk.models import TaskPage

    converter = cattrs.Converter(detailed_validation=False)
    for type_, read in ((int, sdk._int), (str, sdk._str), (bool, sdk._bool), (float, sdk._float)):
        converter.register_structure_hook(type_, read)
        converter.register_structure_hook(type_ | None, sdk._optional(read))
    converter.register_structure_hook(datetime | None, sdk._datetime)
    converter.register_structure_hook_func(lambda t: t == Mapping[str, Any], sdk._mapping)

    def enum_hook(type_: Any) -> Callable[[Any, Any], Any]:
        found = sdk.enum_reader(type_)
        assert found is not None  # the predicate below chose only enum types
        read = found[1]
        return lambda value, _: read(value)

    converter.register_structure_hook_factory(lambda t: sdk.enum_reader(t) is not None, enum_hook)

    def model_hook(cls: type[Any]) -> Callable[..., Any]:
        known = frozenset(f.name for f in attrs.fields(cls) if f.name != "extra")
        aliases = getattr(cls, "_wire_aliases", None)
        structure = make_dict_structure_fn(cls, converter, extra=override(omit=True))

        def read(data: dict[str, Any], _: Any = None) -> Any:
            data = aliases(data) if aliases is not None else data
            model = structure(data, cls)
            if not data.keys() <= known:
                extra = {k: v for k, v in data.items() if k not in known}
                object.__setattr__(model, "extra", extra)
            return model

        return read

    converter.register_structure_hook_factory(sdk.is_api_model, model_hook)
    hook = converter.get_structure_hook(TaskPage)
    return lambda data: hook(data, TaskPage)


def _two_step(fn: Callable[[], object], *, stdlib_json: bool = False) -> Callable[[], object]:
    """Run ``fn`` with the SDK reading answers in two steps (the one pass off): a JSON decode,
    then the generated readers; with ``stdlib_json`` the decode is the standard library's
    (both as on PyPy, where msgspec and orjson have no wheels)."""

    def miss(content: bytes, returns: object) -> object:
        return _one_pass.SKIPPED

    def run() -> object:
        saved = _json.loads, _one_pass.read, _one_pass.learn
        if stdlib_json:
            _json.loads = json.loads
        _one_pass.read, _one_pass.learn = miss, lambda returns, result: None
        try:
            return fn()
        finally:
            _json.loads, _one_pass.read, _one_pass.learn = saved

    return run


def _measure(fn: Callable[[], object], *, number: int, repeat: int) -> float:
    """Best-of-``repeat`` seconds per call (the least disturbed run)."""
    return best_of_turns({"fn": fn}, number=number, rounds=repeat)["fn"]


def main() -> None:
    """Run the benchmark and print the table of ratios."""
    number, repeat = (100, 15) if "--quick" not in sys.argv else (20, 3)
    raw = httpx.Client(transport=httpx.MockTransport(_handler), base_url=BASE)
    sdk = TikMatrix(BASE, http_client=httpx.Client(transport=httpx.MockTransport(_handler)))
    models = _pydantic_models()

    cases: dict[str, dict[str, Callable[[], object]]] = {
        "tasks.list (100-task page)": {
            "raw": lambda: json.loads(raw.get("/api/v1/task", params={"page_size": "100"}).content),
            "sdk": lambda: sdk.tasks.list(page_size=100),
            "two-step": _two_step(lambda: sdk.tasks.list(page_size=100)),
            "sdk-json": _two_step(lambda: sdk.tasks.list(page_size=100), stdlib_json=True),
        },
        "tasks.list, another version": {
            "raw": lambda: json.loads(
                raw.get("/api/v1/task", params={"page_size": "100", "source": "other"}).content
            ),
            "sdk": lambda: sdk.tasks.list(page_size=100, extra_query={"source": "other"}),
            "two-step": _two_step(
                lambda: sdk.tasks.list(page_size=100, extra_query={"source": "other"})
            ),
        },
        "tasks.get": {
            "raw": lambda: json.loads(raw.get("/api/v1/task/7").content),
            "sdk": lambda: sdk.tasks.get(7),
            "two-step": _two_step(lambda: sdk.tasks.get(7)),
            "sdk-json": _two_step(lambda: sdk.tasks.get(7), stdlib_json=True),
        },
    }
    if models is not None:
        page_model, one_model = models
        cases["tasks.list (100-task page)"]["pydantic"] = lambda: page_model.model_validate_json(
            raw.get("/api/v1/task", params={"page_size": "100"}).content
        )
        cases["tasks.get"]["pydantic"] = lambda: one_model.model_validate_json(
            raw.get("/api/v1/task/7").content
        )

    _json.loads(b"0")  # the SDK binds its decoder on first use
    decoder = getattr(_json.loads, "__module__", None) or "json"
    one_pass = "msgspec" if _one_pass.msgspec is not None else "off"
    print(
        f"Python {sys.version.split()[0]}, httpx {httpx.__version__}, SDK decoder: {decoder}, "
        f"one pass: {one_pass}"
    )
    print(f"{'case':30} {'variant':10} {'us/call':>10} {'x raw':>8}")
    for case, variants in cases.items():
        times = best_of_turns(variants, number=number, rounds=repeat)
        for variant, seconds in times.items():
            print(f"{case:30} {variant:10} {seconds * 1e6:10.1f} {seconds / times['raw']:8.2f}")

    # Decoding alone, without HTTP: where the SDK's time goes.
    from tikmatrix_sdk._converter import converter
    from tikmatrix_sdk.models import TaskPage

    data = json.loads(PAGE)["data"]
    hook = converter.get_structure_hook(TaskPage)
    generated = _cattrs_generated()
    decode = _measure(lambda: hook(data, TaskPage), number=number, repeat=repeat)
    by_cattrs = _measure(lambda: generated(data), number=number, repeat=repeat)
    loads = _measure(lambda: json.loads(PAGE), number=number, repeat=repeat)
    print(f"\nstructure a decoded page: {decode * 1e6:.1f} us; json.loads: {loads * 1e6:.1f} us")
    print(
        f"the same page through cattrs' make_dict_structure_fn: {by_cattrs * 1e6:.1f} us "
        f"({by_cattrs / decode:.2f}x the SDK's reader)"
    )
    sdk.close()
    raw.close()


if __name__ == "__main__":
    main()
