"""Property test: the SDK's typed configs and the server accept and refuse the same configs.

For each script, configs are drawn over the server's declared options: values of the right
kind inside and outside their bounds, values of the wrong kind, blank strings, and unset
fields. The SDK (``PostConfig(**fields)`` …) and the server (the script's ``prepare``) must
agree on every one, and when a single field is set, a refusal must name the same field.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_server.scripts import SCRIPTS
from tikmatrix_sdk import SCRIPT_CONFIGS, ClientValidationError
from tikmatrix_sdk._contract.codes import ContractError
from tikmatrix_sdk._contract.scripts import SCRIPT_RULES

from .contract_strategies import option_values


def _configs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    options = SCRIPTS[name].options
    return st.fixed_dictionaries(
        {}, optional={key: option_values(option) for key, option in options.items()}
    )


def _sdk(name: str, config: dict[str, Any]) -> str | None:
    """The field the SDK refuses, ``""`` for a refusal naming none, ``None`` if it accepts."""
    try:
        SCRIPT_CONFIGS[name](**config)
    except ClientValidationError as error:
        return error.field or ""
    except TypeError:
        return "?"
    return None


def _server(name: str, config: dict[str, Any]) -> str | None:
    """The server's refusal message, or ``None`` if it accepts."""
    try:
        SCRIPTS[name].prepare(config)
    except ContractError as error:
        return error.message
    return None


@pytest.mark.parametrize("name", sorted(SCRIPT_CONFIGS))
def test_the_sdk_and_the_server_agree_on_every_config(name: str) -> None:
    @settings(
        max_examples=int(os.environ.get("TIKMATRIX_FUZZ_EXAMPLES", "15")) * 20,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(config=_configs(name))
    def agree(config: dict[str, Any]) -> None:
        sdk, server = _sdk(name, config), _server(name, config)
        assert (sdk is None) == (server is None), (config, sdk, server)
        if sdk and server and len(config) == 1:  # with one field set, both name the same one
            assert sdk in server, (config, sdk, server)

    agree()


def test_every_script_of_the_contract_has_steps_and_no_script_lacks_rules() -> None:
    assert sorted(SCRIPTS) == sorted(SCRIPT_RULES)
    for name, script in SCRIPTS.items():
        assert script.contract is SCRIPT_RULES[name], name
