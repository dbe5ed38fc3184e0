"""``docs/contract.md``'s tables are the contract's: the docs build draws them from it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tikmatrix_sdk import TikMatrix
from tikmatrix_sdk._contract.codes import CODES
from tikmatrix_sdk._contract.routes import ROUTES
from tikmatrix_sdk.resources import LeasedDevice

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
import contract_tables


def test_the_build_draws_every_table_from_the_contract() -> None:
    docs = contract_tables.PAGE.parent
    texts = [(docs / f"{page}.md").read_text(encoding="utf-8") for page in contract_tables.PAGES]
    text = "".join(texts)
    drawn = contract_tables.refresh(texts[0])
    for name in contract_tables.TABLES:
        assert f"<!-- contract-table: {name} -->\n<!-- end contract-table -->" in text, name
    for route in ROUTES:
        if route.name != "openapi":
            assert f"`{route.method} /api/v1{route.path}`" in drawn, route.name
    for code in CODES:
        assert f"| {code} |" in drawn


def test_every_operation_names_sdk_calls_that_exist() -> None:
    with TikMatrix() as client:
        for route in ROUTES:
            assert route.sdk or route.name == "openapi", route.name
            for call in route.sdk:
                owner, _, name = call.partition(".")
                found = LeasedDevice if owner == "LeasedDevice" else getattr(client, owner)
                assert callable(getattr(found, name)), call


def test_a_changed_contract_changes_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    text = contract_tables.PAGE.read_text(encoding="utf-8")
    monkeypatch.setitem(contract_tables.TABLES, "codes", lambda: "| changed |")
    assert "| changed |" in contract_tables.refresh(text)
