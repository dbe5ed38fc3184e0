"""Hypothesis strategies drawn from the contract, shared by the tests that compare its copies."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tikmatrix_sdk._contract.options import Option

__all__ = ["WRONG_KIND", "option_values"]

WRONG_KIND: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False), st.just({})
)
_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", "  ", "@a, @b", "a\nb"]))


def option_values(option: Option) -> st.SearchStrategy[Any]:
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
    return st.one_of(right, right, right, WRONG_KIND)
