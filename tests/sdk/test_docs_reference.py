"""The API reference in the docs lists every public name of the SDK."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tikmatrix_sdk

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "sdk.md"


def test_every_public_name_is_in_the_api_reference() -> None:
    sys.path.insert(0, str(REFERENCE.parents[1] / "_ext"))
    import contract_tables

    text = contract_tables.refresh(REFERENCE.read_text(encoding="utf-8"))
    documented = set(re.findall(r"^\.\. \w+:: tikmatrix_sdk\.(\w+)", text, flags=re.MULTILINE))
    assert set(tikmatrix_sdk.__all__) - documented == set()


def test_public_classes_are_named_where_users_import_them() -> None:
    assert tikmatrix_sdk.Task.__module__ == "tikmatrix_sdk"
    assert repr(tikmatrix_sdk.TaskStatus.COMPLETED) == "<TaskStatus.COMPLETED: 2>"
    assert tikmatrix_sdk.NotFoundError.__module__ == "tikmatrix_sdk"


SCRIPT_PAGES = REFERENCE.parents[1] / "scripts"


def test_each_script_page_documents_every_field_of_its_config() -> None:
    import attrs

    for name, cls in tikmatrix_sdk.SCRIPT_CONFIGS.items():
        page = (SCRIPT_PAGES / f"{name.replace('_', '-')}.md").read_text(encoding="utf-8")
        fields = {field.name for field in attrs.fields(cls)}
        missing = {field for field in fields if f"| `{field}` |" not in page}
        assert missing == set(), f"docs/scripts/{name}.md lacks {sorted(missing)}"


def test_every_public_callable_has_a_docstring() -> None:
    from tikmatrix_sdk import resources

    missing = []
    public = [getattr(tikmatrix_sdk, name) for name in tikmatrix_sdk.__all__]
    public += [resources.Tasks, resources.Accounts, resources.LicenseResource]
    for obj in public:
        if not isinstance(obj, type):
            continue
        if not obj.__doc__:
            missing.append(obj.__name__)
        for name, member in vars(obj).items():
            if name.startswith("_") and name != "__init__":
                continue
            if name == "__init__" and getattr(obj, "_is_protocol", False):
                continue  # a protocol is never built; typing gives it a placeholder
            if (callable(member) or isinstance(member, property)) and not member.__doc__:
                missing.append(f"{obj.__name__}.{name}")
    assert missing == []


FLEET_REFERENCE = REFERENCE.parent / "fleet.md"


def test_every_public_name_of_the_fleet_is_in_its_reference() -> None:
    from tikmatrix_sdk import fleet

    text = FLEET_REFERENCE.read_text(encoding="utf-8")
    pattern = r"^\.\. \w+:: tikmatrix_sdk\.fleet\.(\w+)"
    documented = set(re.findall(pattern, text, flags=re.MULTILINE))
    assert set(fleet.__all__) - documented == set()
    for name in fleet.__all__:
        value = getattr(fleet, name)
        if isinstance(value, type):
            assert value.__module__ == "tikmatrix_sdk.fleet", name
            assert value.__doc__, name
            for member_name, member in vars(value).items():
                if member_name.startswith("_"):
                    continue
                if callable(member) or isinstance(member, property):
                    assert member.__doc__, f"{name}.{member_name}"
