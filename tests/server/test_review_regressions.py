"""What a review of the virtual phones' third round found, each pinned (#35, #36)."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reference_server.android.apps import APPS
from reference_server.android.described_apps import AppError, read_app
from reference_server.android.packages import DESCRIBED_ASSET
from reference_server.android.system import AndroidSystem
from reference_server.virtual.phone import VirtualPhone, _streamed_size

APP: dict[str, Any] = {"package": "com.example.r", "screens": {"main": {"widgets": []}}}


@pytest.fixture
def phone() -> Iterator[AndroidSystem]:
    system = AndroidSystem("reviewed")
    yield system
    system.close()


def run(phone: AndroidSystem, line: str) -> tuple[str, str, int]:
    done = phone.execute_line(line)
    return done.out.decode(), done.err.decode(), done.status


def test_installing_an_app_while_the_screen_is_held_does_not_deadlock(
    phone: AndroidSystem,
) -> None:
    app = read_app(APP)
    holding = threading.Event()

    def tap() -> None:  # as a tap does: the screen's lock, then the phone's
        with phone.ui.lock:
            holding.set()
            phone.record("like", APPS["tiktok"])

    tapper = threading.Thread(target=tap)
    installer = threading.Thread(target=phone.install_described, args=(app,))
    tapper.start()
    holding.wait(5)
    installer.start()
    for thread in (tapper, installer):
        thread.join(10)
        assert not thread.is_alive()
    assert phone.uninstall_described("com.example.r")


@pytest.mark.parametrize("package", ["com.android.settings", "com.zhiliaoapp.musically"])
def test_a_described_app_cannot_take_a_phones_own_package(
    phone: AndroidSystem, package: str
) -> None:
    with pytest.raises(AppError, match="phone's own apps"):
        phone.install_app({**APP, "package": package})
    assert package in run(phone, "pm list packages")[0]


@pytest.mark.parametrize("value", [[], {}, 0, False])
def test_a_widget_id_that_is_not_a_name_is_refused_by_field(value: Any) -> None:
    screens = {"main": {"widgets": [{"id": value}]}}
    with pytest.raises(AppError) as refused:
        read_app({**APP, "screens": screens})
    assert refused.value.field == "screens.main.widgets[0].id"


def test_any_description_is_refused_as_its_own_mistake_never_raised_otherwise() -> None:
    nested: Any = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(AppError):
        read_app({**APP, "label": nested})
    with pytest.raises(AppError):
        read_app(nested)


@pytest.mark.parametrize(
    ("line", "status", "says"),
    [
        ("printf '%999999999s' x", 1, "field wider than 10000"),
        ("printf '%.99999999f' 1", 1, "field wider than 10000"),
        ("test " + "! " * 3000 + "x", 2, "more than 256 words"),
        ("awk '" + "a" + " " * 8000 + "{'", 2, "program longer than 4096"),
        ("exit --5", 1, "bad number"),
        ("exit \u00b2", 1, "bad number"),
    ],
)
def test_odd_input_is_refused_in_the_tools_words(
    phone: AndroidSystem, line: str, status: int, says: str
) -> None:
    _, err, got = run(phone, line)
    assert got == status
    assert says in err


def test_printf_reads_numbers_as_the_shell_does(phone: AndroidSystem) -> None:
    assert run(phone, "printf '%c|%d|%d|%d\\n' Apple 010 0x1F -7") == ("A|8|31|-7\n", "", 0)


def test_the_fork_refusal_reaches_the_terminal(phone: AndroidSystem) -> None:
    shown: list[bytes] = []
    phone.execute_line("sleep 1 & " * 33 + "echo done", emit=lambda d: shown.append(d.combined))
    phone.execute_line("kill $(pidof sleep) 2>/dev/null; wait")
    assert b"fork: Resource temporarily unavailable\n" in b"".join(shown)


def test_a_tcpip_port_that_is_not_ascii_digits_is_answered_not_raised() -> None:
    phone = VirtualPhone("ports")
    try:
        for port in ("\u00b2", "9" * 5000, "0", "70000"):
            handler = phone.open_service(f"tcpip:{port}")
            assert handler is not None
    finally:
        phone.stop()


def test_adb_install_with_an_option_value_reads_the_stream() -> None:
    argv = ["cmd", "package", "install", "-S", "100", "-i", "com.android.vending"]
    assert _streamed_size(argv) == 100
    assert _streamed_size(["pm", "install", "-S", "100", "/data/local/tmp/a.apk"]) is None


def _apk(description: str, entries: int = 0) -> bytes:
    import uiautomator2

    signed = Path(uiautomator2.__file__).parent / "assets" / "app-uiautomator.apk"
    buffer = io.BytesIO()
    with zipfile.ZipFile(signed) as source, zipfile.ZipFile(buffer, "w") as out:
        for entry in source.infolist():
            out.writestr(entry, source.read(entry))
        out.writestr(DESCRIBED_ASSET, description)
        for n in range(entries):
            out.writestr(f"filler/{n}", b"")
    return buffer.getvalue()


def test_a_refused_reinstall_leaves_the_installed_package_whole(phone: AndroidSystem) -> None:
    good = {**APP, "package": "com.github.uiautomator"}
    phone.path("/data/local/tmp/a.apk").write_bytes(_apk(json.dumps(good)))
    assert run(phone, "pm install /data/local/tmp/a.apk")[0] == "Success\n"
    phone.path("/data/local/tmp/b.apk").write_bytes(_apk(json.dumps(APP)))
    refused = run(phone, "pm install -r /data/local/tmp/b.apk")[0]
    assert refused.startswith("Failure [INSTALL_FAILED_INVALID_APK: ")
    assert run(phone, "pm path com.github.uiautomator")[0].startswith("package:")


@pytest.mark.parametrize("description", ["[" * 5000, json.dumps({**APP, "screens": 3})])
def test_an_apks_description_that_cannot_be_read_fails_the_install_in_words(
    phone: AndroidSystem, description: str
) -> None:
    phone.path("/data/local/tmp/c.apk").write_bytes(_apk(description))
    out, _, status = run(phone, "pm install /data/local/tmp/c.apk")
    assert status == 0
    assert out.startswith("Failure [INSTALL_FAILED_INVALID_APK: assets/tikmatrix-app.json")


def test_an_apk_past_the_entry_bound_is_refused_before_its_description_is_read(
    phone: AndroidSystem,
) -> None:
    from reference_server.android.packages import MAX_ENTRIES, described_in_apk

    assert described_in_apk(_apk(json.dumps(APP), entries=MAX_ENTRIES + 1)) is None


def test_ls_long_names_each_entry_whole(phone: AndroidSystem) -> None:
    """An entry with a space in its name ended the listing's line cut at the space."""
    assert run(phone, "mkdir /sdcard/d; echo x > '/sdcard/d/a b'")[2] == 0
    lines = run(phone, "ls -l /sdcard/d")[0].splitlines()
    assert lines[1].startswith("-rw-r--r-- 1 shell shell 2 ")
    assert lines[1].endswith(" a b")
