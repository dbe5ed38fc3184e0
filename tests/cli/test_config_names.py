"""A mistyped option of any script is named with the script's options and the closest one."""

from __future__ import annotations

import attrs
import click
import pytest

from tikmatrix_sdk import SCRIPT_CONFIGS
from tikmatrix_sdk.cli._configs import build_config


@pytest.mark.parametrize("script", sorted(SCRIPT_CONFIGS))
def test_every_scripts_options_are_suggested(script: str) -> None:
    names = [f.name for f in attrs.fields(SCRIPT_CONFIGS[script]) if f.name != "extra"]
    wanted = max(names, key=len)
    typo = wanted[:-2] + wanted[-1]  # one letter dropped
    with pytest.raises(click.BadParameter) as caught:
        build_config(script, {typo: "x"})
    message = caught.value.format_message()
    assert f"{script} has no option {typo!r}; did you mean {wanted!r}?" in message
    assert all(name in message for name in names)
    assert "__init__" not in message


def test_a_name_like_nothing_gets_the_list_only() -> None:
    with pytest.raises(click.BadParameter) as caught:
        build_config("follow", {"zzzzzz": 1})
    message = caught.value.format_message()
    assert "did you mean" not in message
    assert "Its options are " in message


def test_extra_still_carries_options_the_sdk_has_no_field_for() -> None:
    config = build_config("follow", {"target_username": "@a", "extra": {"new_option": 1}})
    assert config.to_dict()["new_option"] == 1
