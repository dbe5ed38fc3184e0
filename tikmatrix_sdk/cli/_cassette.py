"""A cassette: the requests a program sent to TikMatrix and the answers it got, as JSON.

Bodies are kept as JSON where they are JSON, as text where they are text, and as base64
(``{"base64": ...}``) otherwise (a screenshot), so a cassette can be read, diffed and
sent around as it is.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from .._version import __version__

__all__ = ["Cassette", "decode_body", "encode_body"]

FORMAT = 1
#: The request headers kept: those that change what TikMatrix does.
KEPT_REQUEST_HEADERS = ("content-type", "x-session-id")


def encode_body(content: bytes, content_type: str) -> Any:
    """A body as JSON, text or base64."""
    if not content:
        return None
    if "json" in content_type:
        try:
            value = json.loads(content, parse_constant=_no_constant)
            json.dumps(value, allow_nan=False)  # 1e999 reads as inf: not JSON to write back
            return {"json": value}
        except (ValueError, RecursionError):  # not JSON, NaN, or nested past what JSON reads
            pass
    if content_type.startswith(("text/", "application/xml")):
        try:
            return {"text": content.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"base64": base64.b64encode(content).decode("ascii")}


def decode_body(body: Any) -> bytes:
    """The bytes of an encoded body."""
    if body is None:
        return b""
    if "json" in body:
        return json.dumps(body["json"]).encode("utf-8")
    if "text" in body:
        text: str = body["text"]
        return text.encode("utf-8")
    return base64.b64decode(body["base64"])


class Cassette:
    """Interactions recorded in order, each appended to the file as it happens.

    The file is valid JSON after every exchange: a new one is written over the closing
    brackets, which follow it again, so recording costs the same for the 1,000th exchange as
    for the first. It is private to you (0600): it holds the session ids of your leases.
    """

    def __init__(self, path: Path, upstream: str) -> None:
        """A new, empty cassette for ``upstream``, written at ``path`` at once."""
        self.path = path
        #: How many exchanges are on disk.
        self.count = 0
        self._lock = threading.Lock()
        #: Why the file could not be written, once it could not.
        self.failure: str | None = None
        about = {
            "format": FORMAT,
            "recorded_with": f"tikmatrix-sdk {__version__}",
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "upstream": upstream,
        }
        head = json.dumps(about, indent=2, ensure_ascii=False)[:-2]  # without "\n}"
        with _private(path, truncate=True) as out:  # a folder that is not there fails now
            out.write(f'{head},\n  "interactions": ['.encode())
            self._tail = out.tell()
            out.write(_CLOSE)

    @staticmethod
    def load(path: Path) -> dict[str, Any]:
        """A cassette read from a file (``ValueError`` if it is not one)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ValueError(f"{path} is not a cassette: {error}") from None
        if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
            raise ValueError(f"{path} is not a cassette (no interactions)")
        if data.get("format") != FORMAT:
            raise ValueError(f"{path} is a cassette of format {data.get('format')!r}, not {FORMAT}")
        for number, item in enumerate(data["interactions"], start=1):
            if not _well_formed(item):
                raise ValueError(f"{path}: exchange {number} is not a request and its answer")
        return data

    def add(self, request: dict[str, Any], response: dict[str, Any]) -> int:
        """Record one exchange, appended to the file; how many there are."""
        text = _exchange_json({"request": request, "response": response})
        with self._lock:
            try:
                with _private(self.path, truncate=False) as out:
                    out.seek(self._tail)
                    out.write((",\n" if self.count else "\n").encode() + text)
                    self._tail = out.tell()
                    out.write(_CLOSE)
                    out.truncate()
            except OSError as error:
                self.failure = f"cannot write {self.path}: {error.strerror or error}"
            else:
                self.count += 1
            return self.count


#: What closes a cassette's file: the list of exchanges, then the document.
_CLOSE = b"\n  ]\n}\n"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _exchange_json(exchange: dict[str, Any]) -> bytes:
    """An exchange as strict JSON, indented as the list's item it becomes.

    Its bodies are JSON that :func:`encode_body` has written once already (compactly, with
    the C writer); one nested deeper than the indenting writer goes is kept as that text.
    """
    try:
        text = json.dumps(exchange, indent=2, ensure_ascii=False, allow_nan=False)
    except RecursionError:
        for part in (exchange["request"], exchange["response"]):
            body = part.get("body")
            if isinstance(body, dict) and "json" in body:
                part["body"] = {"text": json.dumps(body["json"], allow_nan=False)}
        text = json.dumps(exchange, indent=2, ensure_ascii=False, allow_nan=False)
    return "\n".join("    " + line for line in text.splitlines()).encode("utf-8")


@contextlib.contextmanager
def _private(path: Path, *, truncate: bool) -> Iterator[BinaryIO]:
    """``path`` open for writing, readable by its owner only (0600, whatever it was)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if truncate else 0)
    # Bytes as written (Windows would otherwise turn each \n into \r\n behind tell()'s
    # back), and never through a link planted where the cassette goes.
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags, 0o600)
    try:
        if sys.platform != "win32":  # on Windows the file is the user's by its folder
            os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb", closefd=False) as out:
            yield out
    finally:
        os.close(handle)


def _well_formed(item: Any) -> bool:
    """Whether an exchange has what a replay reads, a path of the server included."""
    if not isinstance(item, dict):
        return False
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return False
    path = request.get("path")
    return (
        isinstance(request.get("method"), str)
        and isinstance(path, str)
        and path.startswith("/")
        and not path.startswith("//")
        and isinstance(response.get("status"), int)
        and isinstance(request.get("query", {}), dict)
        and isinstance(request.get("headers", {}), dict)
        and all(isinstance(v, str) for v in request.get("headers", {}).values())
    )
