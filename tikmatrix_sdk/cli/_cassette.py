"""A cassette: the requests a program sent to TikMatrix and the answers it got, as JSON.

Bodies are kept as JSON where they are JSON, as text where they are text, and as base64
(``{"base64": ...}``) otherwise (a screenshot), so a cassette can be read, diffed and
sent around as it is.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
            return {"json": json.loads(content)}
        except ValueError:
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
    """Interactions recorded in order, written to a file after each one (atomically)."""

    def __init__(self, path: Path, upstream: str) -> None:
        """A new, empty cassette for ``upstream``, to be written at ``path``."""
        self.path = path
        self.data: dict[str, Any] = {
            "format": FORMAT,
            "recorded_with": f"tikmatrix-sdk {__version__}",
            "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "upstream": upstream,
            "interactions": [],
        }
        self._lock = threading.Lock()
        #: Why the file could not be written, once it could not.
        self.failure: str | None = None
        self._write()  # an empty cassette at once: a folder that is not there fails now

    @staticmethod
    def load(path: Path) -> dict[str, Any]:
        """A cassette read from a file (``ValueError`` if it is not one)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
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
        """Record one exchange and write the file; how many there are."""
        with self._lock:
            self.data["interactions"].append({"request": request, "response": response})
            try:
                self._write()
            except OSError as error:
                self.failure = f"cannot write {self.path}: {error.strerror or error}"
            return len(self.data["interactions"])

    def _write(self) -> None:
        text = json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"
        directory = self.path.parent if str(self.path.parent) else Path(".")
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".cassette-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # a file to share, not mkstemp's private 0600
        os.replace(temporary, self.path)


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
