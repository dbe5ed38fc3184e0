"""The API reference in the docs lists every public name of the SDK."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

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


def _default_cell(value: object) -> str:
    """A documented default as the script pages write it."""
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, list | tuple):
        return "`[]`" if not value else f"`{list(value)!r}`"
    return f"`{value!r}`"


def _required_fields(cls: type[Any]) -> list[tuple[str, str]]:
    """The fields a config of documented defaults is refused for, each with the refusal.

    Each refused field is then given a value, until the config is accepted.
    """
    import attrs

    given = {f.name: f.metadata["default"] for f in attrs.fields(cls) if f.name != "extra"}
    refused: list[tuple[str, str]] = []
    for _ in range(len(given) + 1):
        try:
            cls(**given)
        except tikmatrix_sdk.ClientValidationError as error:
            field = str(error.field)  # checked below: a field the config has
            refused.append((field, error.message))
            default = given.get(field)
            given[field] = ["x"] if isinstance(default, list | tuple) else "x"
        else:
            return refused
    raise AssertionError(f"{cls.__name__} refuses every value tried: {refused}")


def test_each_script_page_gives_the_defaults_and_says_what_is_required() -> None:
    """The default column is the SDK's documented default, or says the field is required.

    A field a config of documented defaults is refused for reads "required", and so does
    each field its refusal names as an alternative (target_users, target_user or
    target_username); no other field does.
    """
    import attrs

    for name, cls in tikmatrix_sdk.SCRIPT_CONFIGS.items():
        page = (SCRIPT_PAGES / f"{name.replace('_', '-')}.md").read_text(encoding="utf-8")
        cells = {
            match[1]: match[2].strip()
            for match in re.finditer(r"^\| `(\w+)` \|[^|]+\|([^|]+)\|", page, re.MULTILINE)
        }
        required = _required_fields(cls)
        assert {field for field, _ in required} <= set(cells), required
        marked = {field for field, cell in cells.items() if cell.startswith("required")}
        expected = {
            field
            for refused, message in required
            for field in cells
            if field == refused or re.search(rf"\b{field}\b", message)
        }
        assert marked == expected, f"docs/scripts/{name}.md marks {marked}, not {expected}"
        for field in attrs.fields(cls):
            if field.name != "extra" and field.name not in marked:
                assert cells[field.name] == _default_cell(field.metadata["default"]), (
                    f"docs/scripts/{name}.md: {field.name}'s default"
                )
