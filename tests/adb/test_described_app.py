"""An app described as data, installed by ``adb install`` of an APK that carries it and
driven with uiautomator2 through the real adb (#35, item 7)."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

from reference_server.android.packages import DESCRIBED_ASSET
from reference_server.virtual.phones_and_adb import VirtualLab

PACKAGE = "com.github.uiautomator"  # the package of the signed APK the description rides in
SEARCH = {
    "package": PACKAGE,
    "label": "Finder",
    "screens": {
        "home": {
            "widgets": [
                {"id": "query", "class": "android.widget.EditText",
                 "on_text": {"set_text": {"id": "result", "text": "Found {query}"}}},
                {"id": "result", "text": ""},
                {"id": "open", "class": "android.widget.Button", "text": "Open",
                 "description": "open the result", "on_click": {"go": "detail"}},
            ]
        },
        "detail": {"widgets": [{"id": "heading", "text": "{query}"}, {"text": "Details"}]},
    },
}  # fmt: skip


def test_adb_install_of_an_apk_carrying_an_app_and_uiautomator2_drives_it(
    lab: VirtualLab, tmp_path: Path
) -> None:
    import uiautomator2

    signed = Path(uiautomator2.__file__).parent / "assets" / "app-uiautomator.apk"
    apk = tmp_path / "finder.apk"
    buffer = io.BytesIO()
    with zipfile.ZipFile(signed) as source, zipfile.ZipFile(buffer, "w") as out:
        for entry in source.infolist():
            out.writestr(entry, source.read(entry))
        out.writestr(DESCRIBED_ASSET, json.dumps(SEARCH))
    apk.write_bytes(buffer.getvalue())
    serial = lab.phones[0].serial
    done = subprocess.run(
        [lab.adb_path, "-P", str(lab.adb_port), "-s", serial, "install", "-r", str(apk)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    device = lab.client.device(serial)
    d = uiautomator2.connect(device)
    try:
        d.press("home")
        assert d(text="Finder").exists  # its icon on the launcher
        d(text="Finder").click()
        assert d.app_current()["package"] == PACKAGE
        d(resourceId=f"{PACKAGE}:id/query").set_text("cats")
        assert d(resourceId=f"{PACKAGE}:id/result").get_text() == "Found cats"
        d(description="open the result").click()
        assert d(text="Details").exists
        assert d(resourceId=f"{PACKAGE}:id/heading").get_text() == "{query}"  # not a template
        d.press("back")  # no on_back: to the start screen
        assert d(resourceId=f"{PACKAGE}:id/query").get_text() == "cats"  # what was typed stays
    finally:
        d.stop_uiautomator(wait=False)
        device.shell(["pm", "uninstall", PACKAGE])
