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

from reference_server.domain.errors import ApiError
from reference_server.scripts import SCRIPTS
from reference_server.scripts._options import Option
from tikmatrix_sdk import SCRIPT_CONFIGS, ClientValidationError

_WRONG_KIND: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False), st.just({})
)
_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", "  ", "@a, @b", "a\nb"]))


def _values(option: Option) -> st.SearchStrategy[Any]:
    """Values for one option: allowed ones, edge cases around its bounds, other kinds."""
    if option.choices:
        right: st.SearchStrategy[Any] = st.sampled_from(option.choices)
    elif option.kind in ("int", "number"):
        low = int(option.minimum) if option.minimum is not None else -5
        high = int(option.maximum) if option.maximum is not None else low + 1000
        right = st.integers(low - 1, high + 1)
        if option.kind == "number":
            right = st.one_of(right, st.floats(low - 1, high + 1, allow_nan=False))
    elif option.kind == "str":
        right = _TEXT
    elif option.kind == "bool":
        right = st.booleans()
    elif option.kind == "str_list":
        right = st.lists(_TEXT, max_size=3)
    else:
        right = st.just({})
    return st.one_of(right, right, right, _WRONG_KIND)


def _configs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    options = SCRIPTS[name].options
    return st.fixed_dictionaries(
        {}, optional={key: _values(option) for key, option in options.items()}
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
    except ApiError as error:
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
