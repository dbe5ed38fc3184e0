"""An APK is read with bounded memory: a zip bomb is refused in Android's words (#33, item 2)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

from reference_server.android.packages import MAX_ENTRIES, MAX_INFLATED, read_apk


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, content in entries.items():
            out.writestr(name, content)
    return buffer.getvalue()


def test_a_manifest_that_inflates_past_the_bound_costs_no_more_than_the_bound() -> None:
    bomb = _zip({"AndroidManifest.xml": bytes(64 * 1024 * 1024)})  # 64 MiB of zeros
    assert len(bomb) < 1024 * 1024  # a small file on disk
    tracemalloc.start()
    try:
        refused = read_apk(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(refused, str)
    assert refused.startswith("INSTALL_PARSE_FAILED_MANIFEST_MALFORMED: ")
    assert f"inflates past {MAX_INFLATED} bytes" in refused
    assert peak < 4 * 1024 * 1024  # read as a stream: the 64 MiB were never held


def test_a_resources_table_bomb_and_a_flood_of_entries_are_refused() -> None:
    table = _zip({"AndroidManifest.xml": b"x", "resources.arsc": bytes(MAX_INFLATED + 1)})
    refused = read_apk(table)
    assert isinstance(refused, str)
    assert "resources.arsc inflates past" in refused
    flood = _zip({f"f{number}": b"" for number in range(MAX_ENTRIES + 1)})
    refused = read_apk(flood)
    assert isinstance(refused, str)
    assert refused.startswith("INSTALL_PARSE_FAILED_NOT_APK: ")
    assert f"more than {MAX_ENTRIES} entries" in refused


def test_what_is_not_a_zip_is_refused_in_androids_words() -> None:
    for data in (b"", b"not a zip at all", b"PK\x05\x06" + bytes(18)):
        refused = read_apk(data)
        assert isinstance(refused, str)
        assert refused.startswith("INSTALL_PARSE_FAILED_NOT_APK: "), refused
        assert "Error" not in refused.split(":")[0]
