"""Installing on a virtual phone as on a phone (#35, item 4): ``adb install`` streams the APK,
an unsigned one is refused, failures speak Android's words, every package has versions."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import adbutils
import pytest

from reference_server.virtual.phones_and_adb import VirtualLab

HELPER = "com.github.uiautomator"


@pytest.fixture
def device(lab: VirtualLab) -> Iterator[adbutils.AdbDevice]:
    phone = lab.client.device(lab.phones[0].serial)
    yield phone
    phone.shell(["pm", "uninstall", HELPER])


@pytest.fixture(scope="module")
def signed_apk() -> Path:
    import uiautomator2

    return Path(uiautomator2.__file__).parent / "assets" / "app-uiautomator.apk"


def adb(lab: VirtualLab, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [lab.adb_path, "-P", str(lab.adb_port), "-s", lab.phones[0].serial, *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _rezipped(apk: Path, keep: object = None) -> bytes:
    """The APK's entries in a new zip: no signing block, and META-INF only if ``keep``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(apk) as source, zipfile.ZipFile(buffer, "w") as out:
        for entry in source.infolist():
            if keep or not entry.filename.startswith("META-INF/"):
                out.writestr(entry, source.read(entry))
    return buffer.getvalue()


def test_adb_install_streams_the_apk(
    lab: VirtualLab, device: adbutils.AdbDevice, signed_apk: Path
) -> None:
    assert adb(lab, "install", str(signed_apk)) == (0, "Performing Streamed Install\nSuccess\n")
    assert HELPER in device.list_packages()
    status, said = adb(lab, "install", str(signed_apk))
    assert status == 1
    assert "Failure [INSTALL_FAILED_ALREADY_EXISTS: Attempt to re-install " in said
    assert adb(lab, "install", "-r", str(signed_apk))[0] == 0
    assert adb(lab, "install-multiple", "-r", str(signed_apk)) == (0, "Success\n")
    info = device.app_info(HELPER)
    assert info is not None
    assert info.version_name
    assert device.shell(["ls", "/data/local/tmp"]) == ""  # nothing left behind


def test_an_apk_without_a_signature_is_refused(
    lab: VirtualLab, device: adbutils.AdbDevice, signed_apk: Path, tmp_path: Path
) -> None:
    unsigned = tmp_path / "unsigned.apk"
    unsigned.write_bytes(_rezipped(signed_apk))
    status, said = adb(lab, "install", str(unsigned))
    assert status == 1
    assert "Failure [INSTALL_PARSE_FAILED_NO_CERTIFICATES: Failed to collect certificates " in said
    assert said.rstrip().endswith(": Attempt to get length of null array]")
    v1_signed = tmp_path / "v1.apk"  # the v1 signature files alone are a signature
    v1_signed.write_bytes(_rezipped(signed_apk, keep=True))
    assert adb(lab, "install", str(v1_signed))[0] == 0


def test_a_zip_that_is_not_an_apk_fails_in_androids_words(
    lab: VirtualLab, device: adbutils.AdbDevice, tmp_path: Path
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("hello.txt", "hi")
    not_apk = tmp_path / "hello.apk"
    not_apk.write_bytes(buffer.getvalue())
    status, said = adb(lab, "install", str(not_apk))
    assert status == 1
    assert "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse /data/app/vmdl" in said
    assert "Failed to load asset path" in said
    assert "Error" not in said
    assert "KeyError" not in said


def test_every_package_has_versions_the_launcher_included(device: adbutils.AdbDevice) -> None:
    device.keyevent("HOME")
    front = device.app_current().package
    assert front == "com.android.launcher3"
    for package in device.list_packages():
        info = device.app_info(package)
        assert info is not None, package
        assert info.version_name, package
        assert info.version_code, package
    assert device.shell(["pm", "path", front]).startswith("package:/system/priv-app/")


def test_exec_out_gives_the_output_as_it_is(lab: VirtualLab) -> None:
    assert adb(lab, "exec-out", "echo", "raw") == (0, "raw\n")
    png = subprocess.run(
        [lab.adb_path, "-P", str(lab.adb_port), "-s", lab.phones[0].serial, "exec-out",
         "screencap", "-p"],
        capture_output=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
