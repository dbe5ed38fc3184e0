"""A script's config from the command line: ``--set name=value`` and JSON or TOML files.

Both are read into the SDK's typed config of the script, so a wrong name or value is named
before anything is sent, exactly as in Python.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import click

from ..scripts import SCRIPT_CONFIGS, ScriptConfig

__all__ = ["build_config", "read_config_file", "read_settings"]


def read_config_file(path: Path) -> dict[str, Any]:
    """A config from a ``.json`` or ``.toml`` file: one object (table) of options."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise click.BadParameter(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise click.BadParameter(f"{path} is not UTF-8 text") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise click.BadParameter(f"{path} is not valid {kind}: {error}") from None
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path} must hold one object of options")
    return data


def _value(text: str) -> Any:
    """A JSON value (``3``, ``true``, ``["@a", "@b"]``), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_settings(pairs: Iterable[str]) -> dict[str, Any]:
    """``name=value`` pairs as options; values are JSON where they parse as JSON."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not name=value", param_hint="--set")
        value = _value(text)
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise click.BadParameter(
                f"{name.strip()}: not valid Unicode text", param_hint="--set"
            ) from None
        settings[name.strip()] = value
    return settings


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest known name, or ``.`` when none is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else "."


def build_config(script: str, options: Mapping[str, Any]) -> ScriptConfig:
    """The script's typed config, every option checked as the SDK checks it.

    An unknown script or option is a usage error that names what exists and the closest
    spelling, as a mistyped subcommand is.
    """
    config_class = SCRIPT_CONFIGS.get(script)
    if config_class is None:
        raise click.BadParameter(
            f"unknown script {script!r}{_did_you_mean(script, SCRIPT_CONFIGS)} "
            f"The SDK knows {', '.join(sorted(SCRIPT_CONFIGS))}.",
            param_hint="SCRIPT",
        )
    known = sorted(f.name for f in attrs.fields(config_class) if f.name != "extra")
    for name in options:
        if name not in known and name != "extra":  # extra: options the SDK has no field for
            raise click.BadParameter(
                f"{script} has no option {name!r}{_did_you_mean(name, known)} "
                f"Its options are {', '.join(known)}.",
                param_hint="--set/--config",
            )
    return config_class(**options)
