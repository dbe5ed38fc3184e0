"""The import structure the architecture page describes, kept true.

Every import counts, also those for type checkers and those inside functions: a module that
imports another only under ``TYPE_CHECKING`` still depends on it for anyone reading the code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tikmatrix_sdk", "reference_server")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """The project modules ``path`` imports, resolved to dotted names."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    paths = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    modules = {_module(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {t for t in _imports(path) if t in modules and t != name}
        # importing a package's module makes the package's __init__ run, but the arrow that
        # matters is to the module itself
        graph[name] = targets
    return graph


GRAPH = _graph()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def _is_package_face(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").exists()


def test_no_import_circles() -> None:
    # A package's __init__ that re-exports its modules is not a circle with them.
    graph = {
        name: {t for t in targets if not _is_package_face(t)}
        for name, targets in GRAPH.items()
        if not _is_package_face(name)
    }
    assert _cycles(graph) == []


def _importers_of(prefix: str) -> set[str]:
    return {
        name
        for name, targets in GRAPH.items()
        if any(t == prefix or t.startswith(prefix + ".") for t in targets)
    }


def _layer(module: str) -> str:
    """A module's layer: the contract, the rest of the SDK, or a package of the server."""
    parts = module.split(".")
    if parts[0] == "tikmatrix_sdk":
        return "tikmatrix_sdk._contract" if parts[1:2] == ["_contract"] else "tikmatrix_sdk"
    return ".".join(parts[:2])


def test_no_circles_between_layers() -> None:
    # state importing http while http imports state is a circle of layers, even when no two
    # modules import each other
    graph: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        layer = _layer(name)
        graph.setdefault(layer, set())
        for target in targets:
            if target in ("reference_server", "tikmatrix_sdk"):  # `from .. import x`: x counts
                continue
            if _layer(target) != layer:
                graph[layer].add(_layer(target))
                graph.setdefault(_layer(target), set())
    assert _cycles(graph) == []


def test_the_contract_imports_nothing_of_the_project_but_itself() -> None:
    for name, targets in GRAPH.items():
        if name.startswith("tikmatrix_sdk._contract"):
            outside = {t for t in targets if not t.startswith("tikmatrix_sdk._contract")}
            assert outside == set(), name


def test_the_shared_package_imports_nothing_of_the_project_but_itself() -> None:
    for name, targets in GRAPH.items():
        if name.startswith("tikmatrix_sdk._shared"):
            outside = {t for t in targets if not t.startswith("tikmatrix_sdk._shared")}
            assert outside == set(), name


def _public_or_shared(module: str) -> bool:
    """The SDK's public face (no private part), its contract, or its declared shared package."""
    parts = module.split(".")[1:]
    if parts[:1] in (["_contract"], ["_shared"]):
        return True
    return not any(part.startswith("_") for part in parts)


def test_the_server_takes_from_the_sdk_its_public_face_the_contract_and_shared() -> None:
    for name, targets in GRAPH.items():
        if name.startswith("reference_server"):
            taken = {t for t in targets if t.startswith("tikmatrix_sdk")}
            private = {t for t in taken if not _public_or_shared(t)}
            assert private == set(), (name, private)


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("reference_server.domain", "reference_server.http"),
        ("reference_server.domain", "reference_server.state"),
        ("reference_server.state", "reference_server.http"),
        ("reference_server.scripts", "reference_server.domain"),
        ("reference_server.http", "reference_server.devices"),
        ("reference_server.http", "reference_server.virtual"),
        ("reference_server.http", "reference_server.domain.fleet"),
        ("reference_server.http", "reference_server.android"),
        ("reference_server.devices", "reference_server.domain"),
        ("reference_server.scripts", "reference_server.http"),
        ("reference_server.virtual", "reference_server.domain"),
        ("reference_server.android", "reference_server.devices"),
        ("reference_server.android", "reference_server.virtual"),
        ("reference_server.android", "reference_server.domain"),
        ("tikmatrix_sdk", "reference_server"),
    ],
)
def test_a_lower_layer_never_imports_a_higher_one(lower: str, upper: str) -> None:
    offenders = {name for name in _importers_of(upper) if name.startswith(lower)}
    assert offenders == set()


def test_only_the_composition_root_builds_the_sqlite_store() -> None:
    assert _importers_of("reference_server.domain.sqlite_store") == {"reference_server.state"}


def test_the_http_layer_reaches_the_domain_through_the_service() -> None:
    allowed = {
        "reference_server.domain.service",
        "reference_server.domain.leases",  # the device API's service
        "reference_server.domain.custom_scripts",  # a registration's checks
        "reference_server.domain.device_control",  # the control API's and the dashboard's devices
        "reference_server.domain.faults",  # the faults the control API injects
        "reference_server.clock",
        "reference_server.domain.store",  # the row types the answers are written from
    }
    for name, targets in GRAPH.items():
        if name.startswith("reference_server.http"):
            domain = {t for t in targets if t.startswith("reference_server.domain.")}
            assert domain <= allowed, (name, domain - allowed)


def _attributes(module: str) -> set[str]:
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}


def test_only_the_service_reaches_the_store() -> None:
    # "the only way to the store": no other module reads a service's (or anyone's) .store
    reaching = {name for name in GRAPH if "store" in _attributes(name)}
    assert reaching <= {"reference_server.domain.service"}, reaching


def _server_parts(module: str) -> set[str]:
    """The parts of the server state a module reads: ``state().x`` and ``server.x``."""
    path = ROOT / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value
            if (isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "state") or (
                isinstance(owner, ast.Name) and owner.id == "server"
            ):
                found.add(node.attr)
    return found


def test_the_http_layer_reaches_devices_only_through_the_lab_and_the_leases() -> None:
    for name in GRAPH:
        if name.startswith("reference_server.http") and not _is_package_face(name):
            reached = _server_parts(name) & {"fleet", "source"}
            reached |= _attributes(name) & {"ui", "phone", "snapshot"}
            assert reached == set(), (name, reached)
