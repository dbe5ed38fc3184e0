"""A client generated from the served document by a third party acts as the SDK does.

Run by ``nox -s openapi`` (in its own environment: openapi-python-client pins its own httpx):
it starts a reference server on a free loopback port, generates a client from the document
the server serves with openapi-python-client, fails on any warning the generator prints about
the document or any operation it leaves out, checks that each script's create has a typed
body, then creates, lists, reads, counts, deletes and is refused through the generated client
and through the SDK, and compares the two.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from reference_server import ServerConfig
from reference_server.testing import running_server
from tikmatrix_sdk import FollowConfig, NotFoundError, TikMatrix
from tikmatrix_sdk._contract.routes import ROUTES
from tikmatrix_sdk._contract.scripts import SCRIPT_RULES

PACKAGE = "tik_matrix_local_api_reference_server_client"


def _generate(document: dict[str, Any], folder: Path) -> Any:
    """Generate the client; its package, imported. Any warning of the generator fails."""
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    tool = shutil.which("openapi-python-client")
    if tool is None:
        raise SystemExit("openapi-python-client is not installed (nox -s openapi installs it)")
    done = subprocess.run(
        [tool, "generate", "--path", str(spec), "--output-path", str(folder / "client")],
        capture_output=True,
        text=True,
        check=False,
    )
    said = done.stdout + done.stderr
    # The generator formats its output with ruff when it can; that step is not the document's.
    warnings = [
        line
        for line in said.splitlines()
        if ("warning" in line.lower() or "error" in line.lower() or "unable" in line.lower())
        and "ruff" not in line.lower()
    ]
    if done.returncode != 0 or warnings:
        raise SystemExit(f"openapi-python-client said:\n{said}")
    sys.path.insert(0, str(folder / "client"))
    return importlib.import_module(PACKAGE)


def _check_operations(package: Any) -> None:
    """Every route of the contract is an operation of the generated client."""
    for route in ROUTES:
        module = importlib.import_module(f"{PACKAGE}.api.{_folder(route.tag)}.{route.name}")
        assert callable(module.sync_detailed), route.name
    create = importlib.import_module(f"{PACKAGE}.api.tasks.create_task")
    annotation = str(create.sync_detailed.__annotations__["body"])
    for script in SCRIPT_RULES:
        typed = "Create" + "".join(part.title() for part in script.split("_")) + "Task"
        assert typed in annotation, (script, annotation)


def _folder(tag: str) -> str:
    return "license_" if tag == "license" else tag


def _use(package: Any, url: str) -> None:
    """Create, list, read, count, delete and be refused, through both clients."""
    models = importlib.import_module(f"{PACKAGE}.models")
    api = f"{PACKAGE}.api.tasks"
    create = importlib.import_module(f"{api}.create_task")
    get = importlib.import_module(f"{api}.get_task")
    listing = importlib.import_module(f"{api}.list_tasks")
    stats = importlib.import_module(f"{api}.task_stats")
    delete = importlib.import_module(f"{api}.delete_task")
    client = package.Client(base_url=url)
    body = models.CreateFollowTask(
        script_name="follow",
        script_config=models.FollowConfig.from_dict({"target_users": ["@a", "@b"]}),
        serials=["device_serial_1"],
        start_time="23:59",
    )
    created = create.sync(client=client, body=body).data
    ids = list(created.task_ids)
    with TikMatrix(url) as sdk:
        mine = sdk.tasks.create(
            FollowConfig(target_users=["@a", "@b"]), serials=["device_serial_1"], start_time="23:59"
        )
        assert created.created_count == mine.created_count == 2
        generated_task = get.sync(ids[0], client=client).data
        sdk_task = sdk.tasks.get(ids[0])
        assert generated_task.to_dict()["script_config"] == dict(sdk_task.script_config)
        assert (generated_task.status, generated_task.serial) == (sdk_task.status, sdk_task.serial)
        page = listing.sync(client=client, page_size=3).data
        assert page.total == sdk.tasks.list(page_size=3).total == 4
        first = sdk.tasks.list(page_size=3).data
        assert [task.id for task in page.tasks] == [task.id for task in first.items]
        counted = stats.sync(client=client).data
        assert counted.to_dict() == {**sdk.tasks.stats().to_dict()}
        deleted = delete.sync(ids[0], client=client).data
        assert list(deleted.task_ids) == [ids[0]]
        refused = get.sync(ids[0], client=client)
        assert isinstance(refused, models.Error), refused
        try:
            sdk.tasks.get(ids[0])
        except NotFoundError as error:
            said = (error.code, error.message)
        else:
            raise AssertionError("the SDK read a deleted task")
        assert (refused.code, refused.message) == said


def main() -> None:
    """Generate, check and use the client; exit non-zero on the first difference."""
    with tempfile.TemporaryDirectory(prefix="tikmatrix-generated-") as directory:
        config = ServerConfig(db=Path(directory) / "tasks.sqlite3", run_scheduler=False)
        with running_server(config) as url:
            import httpx

            document = httpx.get(f"{url}/api/v1/openapi.json").json()
            package = _generate(document, Path(directory))
            _check_operations(package)
            _use(package, url)
    print(f"openapi-python-client: {len(ROUTES)} operations generated and used, no warning")


if __name__ == "__main__":
    main()
