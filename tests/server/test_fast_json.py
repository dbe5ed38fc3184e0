"""The server's JSON writes and reads the same documents with orjson and without it."""

from __future__ import annotations

import json

from reference_server import fast_json

DOCUMENT = {"code": 0, "message": "success", "data": {"tasks": [{"id": 1, "remark": "café ✓"}]}}


def test_the_fallback_writes_what_orjson_writes() -> None:
    written = fast_json.dumps(DOCUMENT)
    assert written == fast_json._std_dumps(DOCUMENT)
    assert json.loads(written) == DOCUMENT
    assert fast_json.loads(written) == fast_json._std_loads(written) == DOCUMENT
