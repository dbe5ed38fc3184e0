"""The hosts of a fleet: their names and how to reach each, from code, a variable or a file.

A host is one TikMatrix instance (one PC). Its name is how results, task ids and the CLI's
tables refer to it, so it is short and has no ``:`` (``pc-2:1041`` is host ``pc-2``'s task
1041). The three ways to list hosts:

- in code: ``Fleet({"pc-1": "http://10.0.0.5:50809", "pc-2": "http://10.0.0.6:50809"})``,
  or :class:`Host` objects for per-host settings;
- the variable ``TIKMATRIX_HOSTS``: ``pc-1=http://10.0.0.5:50809,pc-2=http://10.0.0.6:50809``
  (a bare URL takes ``host1``, ``host2``… by its place);
- a TOML file, one table per host under ``[hosts]``::

      [hosts.pc-1]
      url = "http://10.0.0.5:50809"
      timeout = 10          # seconds; optional, as are max_retries and headers

      [hosts.pc-2]
      url = "http://10.0.0.6:50809"
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import httpx

from .._options import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, resolve_base_url
from .._shown_url import shown_url
from ..errors import ClientValidationError

__all__ = ["HOSTS_ENV", "MAX_HOSTS", "Host", "hosts_from_env", "hosts_from_file", "to_hosts"]

#: The variable that lists a fleet's hosts.
HOSTS_ENV = "TIKMATRIX_HOSTS"
#: The most hosts one fleet holds (TikMatrix's guidance: up to 100 devices per PC).
MAX_HOSTS = 256
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_HOST_KEYS = frozenset({"url", "timeout", "max_retries", "headers"})


def _check_name(_: object, attribute: attrs.Attribute[str], name: str) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ClientValidationError(
            f"a host name is 1 to 64 of letters, digits, '_', '.' and '-' (no ':'), "
            f"starting with a letter or digit; got {name!r}",
            field="hosts",
        )


@attrs.frozen(kw_only=True)
class Host:
    """One TikMatrix instance of a fleet: its name, its URL, and its client's settings."""

    #: How results, task ids (``pc-2:1041``) and tables name the host.
    name: str = attrs.field(validator=_check_name)
    #: The instance's root URL, as :class:`~tikmatrix_sdk.TikMatrix` takes it (its repr shows
    #: it without a user and password).
    url: str = attrs.field(converter=resolve_base_url, repr=shown_url)
    #: Seconds for each request to this host (the client's default: 30 s, 5 s to connect).
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT
    #: How many times a request to this host may be retried where that is safe.
    max_retries: int = DEFAULT_MAX_RETRIES
    #: Extra headers sent with every request to this host.
    headers: Mapping[str, str] = attrs.field(factory=dict)


def to_hosts(hosts: Mapping[str, str] | Iterable[Host | str]) -> tuple[Host, ...]:
    """Hosts from a mapping of name to URL, or from :class:`Host` objects and bare URLs."""
    if isinstance(hosts, (str, bytes)):
        raise ClientValidationError(
            "hosts is a mapping of names to URLs or a list of Host objects, not one string "
            f"(for a {HOSTS_ENV}-style list use hosts_from_env)",
            field="hosts",
        )
    if isinstance(hosts, Mapping):
        found = tuple(Host(name=name, url=url) for name, url in hosts.items())
    else:
        found = tuple(
            host if isinstance(host, Host) else Host(name=f"host{place}", url=host)
            for place, host in enumerate(hosts, start=1)
        )
    if not found:
        raise ClientValidationError("a fleet needs at least one host", field="hosts")
    if len(found) > MAX_HOSTS:
        raise ClientValidationError(
            f"a fleet holds at most {MAX_HOSTS} hosts, got {len(found)}", field="hosts"
        )
    names = [host.name for host in found]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ClientValidationError(f"host names must differ: {', '.join(twice)}", field="hosts")
    return found


def hosts_from_env(text: str | None = None) -> tuple[Host, ...]:
    """Hosts from ``TIKMATRIX_HOSTS`` (or ``text``): ``name=url`` or bare URLs, by commas."""
    raw = os.environ.get(HOSTS_ENV, "") if text is None else text
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts:
        raise ClientValidationError(
            f"{HOSTS_ENV} is not set: list the hosts as name=url pairs separated by commas",
            field=HOSTS_ENV,
        )
    hosts: list[Host | str] = []
    for part in parts:
        name, equals, url = part.partition("=")
        hosts.append(Host(name=name.strip(), url=url.strip()) if equals else part)
    return to_hosts(hosts)


def hosts_from_file(path: str | os.PathLike[str]) -> tuple[Host, ...]:
    """Hosts from a TOML file's ``[hosts.NAME]`` tables.

    Each table has ``url``, and may have ``timeout``, ``max_retries`` and ``headers``.
    """
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ClientValidationError(f"{path}: not TOML: {exc}", field="hosts") from exc
    tables = document.get("hosts")
    if not isinstance(tables, dict) or not tables:
        raise ClientValidationError(
            f"{path}: no [hosts.NAME] tables (each with a url)", field="hosts"
        )
    hosts: list[Host] = []
    for name, table in tables.items():
        hosts.append(_host_from_table(str(path), name, table))
    return to_hosts(hosts)


def _host_from_table(path: str, name: str, table: Any) -> Host:
    where = f"{path}: [hosts.{name}]"
    if not isinstance(table, dict) or not isinstance(table.get("url"), str):
        raise ClientValidationError(f'{where} needs url = "http://…"', field="hosts")
    unknown = sorted(set(table) - _HOST_KEYS)
    if unknown:
        raise ClientValidationError(
            f"{where}: unknown key(s) {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_HOST_KEYS))})",
            field="hosts",
        )
    timeout = table.get("timeout", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ClientValidationError(f"{where}: timeout is a positive number", field="hosts")
    retries = table.get("max_retries", DEFAULT_MAX_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 100:
        raise ClientValidationError(f"{where}: max_retries is 0 to 100", field="hosts")
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ClientValidationError(f"{where}: headers is a table of strings", field="hosts")
    return Host(
        name=name,
        url=table["url"],
        timeout=float(timeout) if "timeout" in table else DEFAULT_TIMEOUT,
        max_retries=retries,
        headers=headers,
    )
