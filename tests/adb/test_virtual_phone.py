"""The virtual phone on its own: its shell, its sandbox, its sync service and its UI service,
driven through the real adb binary where a phone would be."""

from __future__ import annotations

import gc
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import adbutils
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_server.android.shell import ShellSyntaxError, parse
from reference_server.virtual.phone import VirtualPhone
from reference_server.virtual.phones_and_adb import VirtualLab
from tikmatrix_sdk._contract.records import make_record


@pytest.mark.parametrize(
    ("line", "commands", "substitutions"),
    [
        ("echo hi", [["echo", "hi"]], []),
        ("echo 'x; rm -rf /sdcard'", [["echo", "x; rm -rf /sdcard"]], []),
        ("echo x; rm -rf /sdcard", [["echo", "x"], ["rm", "-rf", "/sdcard"]], []),
        ("a && b || c | d & e", [["a"], ["b"], ["c"], ["d"], ["e"]], []),
        ("echo '$(reboot)'", [["echo", "$(reboot)"]], []),
        ('echo "$(reboot)"', [["echo", "$(reboot)"]], ["reboot"]),
        ("echo $(id $(whoami))", [["echo", "$(id $(whoami))"]], ["id $(whoami)"]),
        ("echo `id -u` 'a b'", [["echo", "`id -u`", "a b"]], ["id -u"]),
        ("echo `reboot`", [["echo", "`reboot`"]], ["reboot"]),
        ('echo "a\\"b"', [["echo", 'a"b']], []),
        ("X=1 Y=2 app_process", [["X=1", "Y=2", "app_process"]], []),
    ],
)
def test_the_shell_splits_like_sh(
    line: str, commands: list[list[str]], substitutions: list[str]
) -> None:
    assert parse(line) == (commands, substitutions)


# Words as the device's sh reads them: quotes, backslashes, spaces and tabs (no expansions,
# no operators: those are covered above). The system's own sh is the judge.
_WORDS = st.text(alphabet="ab=-./ \t'\"\\", max_size=16)


@pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX sh on this system")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=_WORDS)
def test_words_split_as_the_system_sh_splits_them(words: str) -> None:
    line = f"printf '<%s>' _ {words}"  # "_" first: printf with no word would still print
    done = subprocess.run(["sh", "-c", line], capture_output=True, text=True, check=False)
    try:
        commands, _ = parse(line)
    except ShellSyntaxError:
        assert done.returncode != 0, (line, done.stdout)
        return
    assert done.returncode == 0, (line, done.stderr)
    expected = done.stdout[1:-1].split("><")
    assert commands[0][2:] == expected, line


@pytest.mark.parametrize("line", ["echo 'open", 'echo "open', "echo $(open", "echo `open"])
def test_unterminated_quotes(line: str) -> None:
    with pytest.raises(ShellSyntaxError):
        parse(line)


@pytest.fixture
def device(lab: VirtualLab) -> adbutils.AdbDevice:
    return lab.client.device(lab.phones[0].serial)


@pytest.fixture
def phone(lab: VirtualLab) -> VirtualPhone:
    return lab.phones[0]


def test_adb_lists_the_phone(lab: VirtualLab, phone: VirtualPhone) -> None:
    (info,) = [d for d in lab.client.list() if d.serial == phone.serial]
    assert info.state == "device"
    assert lab.client.device(phone.serial).prop.model == "Virtual_phone1"


def test_an_unquoted_injection_would_run(device: adbutils.AdbDevice, phone: VirtualPhone) -> None:
    # What the runner must never do: glue a value into a shell line. The phone then behaves
    # as a real one would, which is what makes the literal-value tests meaningful.
    phone.path("/sdcard/keep.txt").write_text("precious", encoding="utf-8")
    device.shell("echo x; rm -rf /sdcard/keep.txt; echo $(reboot)")
    assert not phone.path("/sdcard/keep.txt").exists()
    assert phone.rebooted
    phone.rebooted = False


def test_the_sandbox_cannot_be_escaped(phone: VirtualPhone) -> None:
    for path in ("/../../etc/passwd", "/sdcard/../../../etc", "relative/../../x"):
        assert phone.root in phone.path(path).parents or phone.path(path) == phone.root
    assert phone.path("/storage/emulated/0/DCIM/a.mp4") == phone.root / "sdcard/DCIM/a.mp4"


def test_sync_push_stat_pull_and_list(
    device: adbutils.AdbDevice, phone: VirtualPhone, tmp_path: Path
) -> None:
    source = tmp_path / "blob.bin"
    source.write_bytes(bytes(range(256)) * 1000)
    device.sync.push(source, "/sdcard/Download/blob.bin", check=True)
    assert phone.path("/sdcard/Download/blob.bin").read_bytes() == source.read_bytes()
    assert device.sync.stat("/sdcard/Download/blob.bin").size == 256_000
    assert device.sync.stat("/sdcard/none").size == 0
    assert device.sync.read_bytes("/sdcard/Download/blob.bin") == source.read_bytes()
    assert "blob.bin" in [entry.path for entry in device.sync.list("/sdcard/Download")]
    md5 = device.shell(["toybox", "md5sum", "/sdcard/Download/blob.bin"])
    assert md5.endswith("  /sdcard/Download/blob.bin")


def _adb(lab: VirtualLab, phone: VirtualPhone, *args: str) -> subprocess.CompletedProcess[str]:
    """The real adb client on the phone: ``adb -s SERIAL ARGS…``."""
    argv = [lab.adb_path, "-P", str(lab.adb_port), "-s", phone.serial, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_adb_pushes_and_pulls_whole_directories(
    lab: VirtualLab, phone: VirtualPhone, tmp_path: Path
) -> None:
    # The client asks with the second forms (STA2, LIS2) when the phone names stat_v2 and
    # ls_v2; an answer it cannot read made it abort ("protocol fault").
    album = tmp_path / "album"
    (album / "sub").mkdir(parents=True)
    (album / "a.txt").write_text("A", encoding="utf-8")
    (album / "sub" / "b.bin").write_bytes(bytes(range(256)) * 300)
    pushed = _adb(lab, phone, "push", str(album), "/sdcard/push_dir")
    assert pushed.returncode == 0, pushed.stderr
    assert "2 files pushed" in pushed.stdout + pushed.stderr
    assert phone.path("/sdcard/push_dir/sub/b.bin").read_bytes() == bytes(range(256)) * 300
    again = _adb(lab, phone, "push", str(album), "/sdcard/push_dir")  # into it, as adbd does
    assert again.returncode == 0, again.stderr
    assert phone.path("/sdcard/push_dir/album/a.txt").read_text(encoding="utf-8") == "A"
    out = tmp_path / "pulled"
    pulled = _adb(lab, phone, "pull", "/sdcard/push_dir", str(out))
    assert pulled.returncode == 0, pulled.stderr
    assert "4 files pulled" in pulled.stdout + pulled.stderr
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "a.txt",
        "album/a.txt",
        "album/sub/b.bin",
        "sub/b.bin",
    ]
    missing = _adb(lab, phone, "pull", "/sdcard/no_such_dir", str(tmp_path / "x"))
    assert missing.returncode == 1
    assert "No such file or directory" in missing.stderr
    shutil.rmtree(phone.path("/sdcard/push_dir"))


def test_shell_commands(device: adbutils.AdbDevice, phone: VirtualPhone) -> None:
    assert device.shell(["getprop", "ro.build.version.sdk"]) == "33"
    assert "package:com.zhiliaoapp.musically" in device.shell(["pm", "list", "packages"])
    assert device.shell(["pm", "path", "com.instagram.android"]).startswith("package:")
    assert device.shell(["wm", "size"]) == "Physical size: 1080x2340"
    assert "not found" in device.shell(["frobnicate"])
    device.shell(["mkdir", "-p", "/sdcard/a/b"])
    assert "b" in device.shell(["ls", "/sdcard/a"])
    assert "No such file" in device.shell(["ls", "/sdcard/zzz"])
    assert "syntax error" in device.shell("echo 'open")
    device.shell(
        [
            "am",
            "start",
            "-a",
            "android.intent.action.VIEW",
            "-d",
            "https://www.instagram.com/someone",
        ]
    )
    assert phone.ui.screen == "profile"
    assert phone.ui.context == {"user": "someone"}
    device.shell(["am", "force-stop", "com.instagram.android"])
    assert phone.ui.app is None


def test_uiautomator2_drives_the_screens(device: adbutils.AdbDevice, phone: VirtualPhone) -> None:
    import uiautomator2

    ui = uiautomator2.connect(device)
    device.shell(
        ["monkey", "-p", "com.zhiliaoapp.musically", "-c", "android.intent.category.LAUNCHER", "1"]
    )
    assert ui.info["currentPackageName"] == "com.zhiliaoapp.musically"
    assert 'resource-id="com.zhiliaoapp.musically:id/search_icon"' in ui.dump_hierarchy()
    ui(resourceId="com.zhiliaoapp.musically:id/search_icon").click()
    ui(resourceId="com.zhiliaoapp.musically:id/search_input").set_text("carol")
    assert ui(resourceId="com.zhiliaoapp.musically:id/search_input").get_text() == "carol"
    ui(resourceId="com.zhiliaoapp.musically:id/search_user_result", text="carol").click()
    assert ui(resourceId="com.zhiliaoapp.musically:id/follow_button").get_text() == "Follow"
    ui(resourceId="com.zhiliaoapp.musically:id/follow_button").click()
    assert ui(resourceId="com.zhiliaoapp.musically:id/follow_button").get_text() == "Following"
    assert phone.records[-1] == make_record("follow", platform="tiktok", user="carol")
    assert not ui(resourceId="nope").exists
    with pytest.raises(uiautomator2.UiObjectNotFoundError):
        ui(resourceId="nope").get_text(timeout=0.1)
    ui.press("back")
    assert phone.ui.screen == "home"
    ui.stop_uiautomator(wait=False)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_disconnected_phone_refuses_adb_until_reconnected(
    lab: VirtualLab, phone: VirtualPhone
) -> None:
    phone.disconnect()
    try:
        with pytest.raises(adbutils.AdbError):
            lab.client.device(phone.serial).shell(["echo", "hi"])
    finally:
        phone.reconnect()
    lab.connect(phone)
    assert lab.client.device(phone.serial).shell(["echo", "back"]) == "back"
    gc.collect()  # adbutils leaves the failed transport's socket to the collector


def test_uiautomator2_connect_by_serial_works_unchanged(
    lab: VirtualLab, phone: VirtualPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uiautomator2

    # uiautomator2 looks serials up on adbutils' default client; point it at our adb server
    # (the port ANDROID_ADB_SERVER_PORT would name when it is set before import).
    monkeypatch.setattr(adbutils, "adb", lab.client)
    ui = uiautomator2.connect(phone.serial)
    assert ui.info["displayWidth"] == 1080
    ui.stop_uiautomator(wait=False)


def test_adbutils_reads_exit_codes_both_ways(device: adbutils.AdbDevice) -> None:
    for v2 in (False, True):
        done = device.shell2("echo -n out; ls /nowhere; false", v2=v2)
        assert done.returncode == 1, v2
        if v2:  # the v2 protocol keeps the streams apart
            assert (done.stdout, done.stderr) == (
                "out",
                "ls: /nowhere: No such file or directory\n",
            )
        else:
            assert done.output == "outls: /nowhere: No such file or directory\n"
        assert device.shell2(["true"], v2=v2).returncode == 0
        assert device.shell2("frobnicate", v2=v2).returncode == 127
    assert "shell_v2" in device.get_features()


def test_a_long_command_times_out_as_on_a_phone(device: adbutils.AdbDevice) -> None:
    with pytest.raises(adbutils.AdbTimeout):
        device.shell("sleep 5", timeout=0.5)
    assert device.shell("echo still here") == "still here"


# adbutils' logcat() never closes the file it copies into (its thread closes only the stream).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_adbutils_everyday_helpers(
    device: adbutils.AdbDevice, phone: VirtualPhone, tmp_path: Path
) -> None:
    phone.ui.home()
    assert device.window_size() == (1080, 2340)
    assert device.rotation() == 0
    assert device.app_current().package == "com.android.launcher3"
    device.shell(["monkey", "-p", "com.zhiliaoapp.musically", "1"])
    current = device.app_current()
    assert (current.package, current.activity) == (
        "com.zhiliaoapp.musically",
        "com.ss.android.ugc.aweme.splash.SplashActivity",
    )
    info = device.app_info("com.zhiliaoapp.musically")
    assert info is not None
    assert (info.version_name, info.version_code) == ("36.5.4", 2023605040)
    assert device.app_info("com.nothing.here") is None
    assert device.wlan_ip().startswith("192.168.1.")
    screen = device.screenshot(error_ok=False)
    assert screen.size == (1080, 2340)
    xml = device.dump_hierarchy()
    assert 'package="com.zhiliaoapp.musically"' in xml
    log = tmp_path / "logcat.txt"
    phone.record("like", phone.ui.app)  # type: ignore[arg-type]
    stop = device.logcat(log)
    time.sleep(0.5)
    stop.stop()
    assert "I/TikTok  ( 2000): like" in log.read_text(encoding="utf-8")  # logcat -v time
    device.sync.push(b"bytes", "/sdcard/Download/x.bin")
    assert "x.bin" in [entry.path for entry in device.sync.list("/sdcard/Download")]
    device.remove("/sdcard/Download/x.bin")
    assert not phone.path("/sdcard/Download/x.bin").exists()
    assert device.shell(["settings", "put", "system", "screen_brightness", "42"]) == ""
    assert device.shell(["settings", "get", "system", "screen_brightness"]) == "42"
    device.shell(["settings", "put", "system", "screen_brightness", "102"])
    assert device.shell(["wm", "density"]) == "Physical density: 420"
    device.shell(["screenrecord", "--time-limit", "1", "/sdcard/clip.mp4"])
    assert phone.path("/sdcard/clip.mp4").read_bytes()[4:8] == b"ftyp"
    assert device.shell(["pm", "clear", "com.zhiliaoapp.musically"]) == "Success"


def test_the_settings_app_and_the_home_key(device: adbutils.AdbDevice, phone: VirtualPhone) -> None:
    device.shell(["am", "start", "-a", "android.settings.SETTINGS"])
    assert device.app_current().package == "com.android.settings"
    assert 'text="Settings"' in device.dump_hierarchy()
    device.keyevent("HOME")
    assert device.app_current().package == "com.android.launcher3"


def test_uiautomator2_everyday_calls(device: adbutils.AdbDevice, phone: VirtualPhone) -> None:
    import uiautomator2

    phone.ui.home()
    d = uiautomator2.connect(device)
    try:
        assert d.info["displayWidth"] == 1080
        assert d.window_size() == (1080, 2340)
        d.app_start("com.instagram.android")
        assert d.app_current()["package"] == "com.instagram.android"
        assert d.screenshot().size == (1080, 2340)
        assert "Instagram" in d.dump_hierarchy() or "instagram" in d.dump_hierarchy()
        assert d(text="Search").exists
        d(text="Search").click()
        assert d(className="android.widget.EditText").wait(timeout=2)
        d(className="android.widget.EditText").set_text("ca")
        d.send_keys("ts")  # through the clipboard, as uiautomator2 types without its IME
        assert d(text="cats", className="android.widget.Button").exists
        d.swipe(500, 1500, 500, 500)
        d.press("home")
        assert d.app_current()["package"] == "com.android.launcher3"
    finally:
        d.stop_uiautomator()


# adbutils' framebuffer() leaves its connection for the garbage collector to close.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_reverse_forwarding_and_the_framebuffer(
    device: adbutils.AdbDevice, phone: VirtualPhone
) -> None:
    device.reverse("tcp:6000", "tcp:7000")
    device.reverse("localabstract:app", "tcp:7001")
    listed = {(item.remote, item.local) for item in device.reverse_list()}
    assert listed == {("tcp:6000", "tcp:7000"), ("localabstract:app", "tcp:7001")}
    device.reverse_remove("tcp:6000")
    assert [item.remote for item in device.reverse_list()] == ["localabstract:app"]
    device.reverse_remove_all()
    assert device.reverse_list() == []
    phone.ui.home()
    frame = device.framebuffer()
    assert frame.size == (1080, 2340)
    assert frame.convert("RGB").getpixel((10, 2000)) == (232, 234, 246)  # the launcher's wallpaper


def test_settings_start_as_a_phones_and_keep_what_is_put(
    device: adbutils.AdbDevice, phone: VirtualPhone
) -> None:
    from reference_server.android.settings import DEFAULT_SETTINGS

    phone.settings.clear()  # a new phone's (the module's phone is shared by its tests)
    phone.settings.update(DEFAULT_SETTINGS)
    assert device.brightness_value == 102  # adbutils' helpers read and write them
    assert device.brightness_mode == adbutils.BrightnessMode.MANUAL
    device.brightness_value = 200
    device.brightness_mode = adbutils.BrightnessMode.AUTO
    assert (device.brightness_value, device.brightness_mode) == (
        200,
        adbutils.BrightnessMode.AUTO,
    )
    device.switch_airplane(True)
    assert device.shell("settings get global airplane_mode_on") == "1"
    device.switch_airplane(False)
    ime = "com.android.inputmethod.latin/.LatinIME"
    assert device.shell(["settings", "get", "secure", "default_input_method"]) == ime
    assert device.shell("settings --user current get system never_set") == "null"
    assert device.shell("settings delete system show_touches") == "Deleted 1 rows"
    assert device.shell("settings get system show_touches") == "null"
    assert "screen_brightness=200" in device.shell("settings list system").splitlines()
    refused = device.shell2("settings get bogus key")
    assert refused.returncode == 255
    assert "'namespace' is one of {system, secure, global}" in refused.output
    device.brightness_value = 102
    device.brightness_mode = adbutils.BrightnessMode.MANUAL
    device.shell("settings put system show_touches 0")


_THREADTIME = r"\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} +\d+ +\d+ [VDIWEF] .{8}: .*"


def test_log_writes_what_logcat_shows_in_threadtime(
    lab: VirtualLab, device: adbutils.AdbDevice, phone: VirtualPhone
) -> None:
    import re

    assert device.shell("logcat -c") == ""
    device.shell("log -t MyApp hello world")
    device.shell(["log", "-p", "e", "-t", "Crash", "boom"])
    device.shell(["log", "-p", "d", "-t", "MyApp", "details"])
    lines = device.shell("logcat -d").splitlines()
    assert all(re.fullmatch(_THREADTIME, line) for line in lines), lines
    assert [line.split(": ", 1)[1] for line in lines] == ["hello world", "boom", "details"]
    assert lines[0].split()[4:6] == ["I", "MyApp"]
    only = device.shell("logcat -d -s MyApp").splitlines()
    assert [line.rsplit(": ", 1)[1] for line in only] == ["hello world", "details"]
    above = device.shell("logcat -d MyApp:I *:S").splitlines()
    assert [line.rsplit(": ", 1)[1] for line in above] == ["hello world"]
    assert device.shell("logcat -d -t 1").endswith(": details")
    assert device.shell("logcat -d -v brief -s Crash") == "E/Crash   ( 2000): boom"
    # adb's own logcat command sends `export ANDROID_LOG_TAGS=…; exec logcat …`.
    via_adb = _adb(lab, phone, "logcat", "-d", "-s", "Crash")
    assert via_adb.returncode == 0, via_adb.stderr
    assert via_adb.stdout.rstrip().endswith("E Crash   : boom")
    bad = device.shell2("logcat -v nonsense")
    assert bad.returncode == 1
    assert "unknown format" in bad.output
    assert device.shell("logcat -c") == ""
    assert device.shell("logcat -d -s MyApp") == ""


def test_logcat_follows_the_log_through_a_tag_filter(device: adbutils.AdbDevice) -> None:
    followed = device.shell("logcat -s Follow", stream=True)
    try:
        device.shell("log -t Other not this one")
        device.shell("log -t Follow live line")
        followed.conn.settimeout(10)
        seen = b""
        while b"live line" not in seen:
            chunk = followed.conn.recv(4096)  # a timeout fails the test rather than hang it
            assert chunk, seen
            seen += chunk
        assert b"Follow  : live line" in seen
        assert b"not this one" not in seen
    finally:
        followed.close()


def test_export_unset_and_exec_are_shell_builtins(phone: VirtualPhone) -> None:
    assert phone.execute_line("export GREETING=hi; echo $GREETING").out == b"hi\n"
    assert phone.execute_line("unset GREETING; echo x${GREETING}x").out == b"xx\n"
    assert phone.execute_line("exec echo replaced").out == b"replaced\n"
    refused = phone.execute_line("export 1BAD=x")
    assert refused.status == 1
    assert b"bad variable name" in refused.err


def test_uiautomator2_display_shade_and_toast_calls(
    device: adbutils.AdbDevice, phone: VirtualPhone
) -> None:
    import uiautomator2

    phone.ui.home()
    d = uiautomator2.connect(device)

    def screen_on() -> bool:  # read anew each time (a type checker would keep the first read)
        return bool(d.info["screenOn"])

    try:
        d.screen_off()
        assert not screen_on()
        assert not device.is_screen_on()  # adbutils reads dumpsys power
        black = d.screenshot()
        assert black.getextrema() == ((0, 0), (0, 0), (0, 0))
        d.screen_on()
        assert screen_on()
        assert device.is_screen_on()
        device.keyevent("POWER")  # the key turns it off, as on a phone
        assert not screen_on()
        device.keyevent("WAKEUP")
        assert screen_on()

        d.set_orientation("left")
        assert d.orientation == "left"
        assert d.info["displayRotation"] == 1
        assert d.window_size() == (2340, 1080)
        assert d.screenshot().size == (2340, 1080)
        assert device.rotation() == 1
        d.set_orientation("natural")
        assert d.window_size() == (1080, 2340)
        d.freeze_rotation()
        assert device.shell("settings get system accelerometer_rotation") == "0"
        d.freeze_rotation(False)
        assert device.shell("settings get system accelerometer_rotation") == "1"

        d.open_notification()
        assert d.app_current()["package"] == "com.android.systemui"
        assert d(text="Notifications").exists
        d.press("back")
        assert d.app_current()["package"] == "com.android.launcher3"
        d.open_quick_settings()
        assert d(text="Airplane mode: off").exists
        d.press("home")

        assert d.last_traversed_text is None
        d.clear_traversed_text()
        d.toast.show("Saved!")
        assert d.last_toast == "Saved!"
        d.clear_toast()
        assert d.last_toast is None
        d.app_start("com.instagram.android")
        search = d(text="Search").center()
        d.long_click(*search, duration=0.1)  # raw touch events: the lifted finger taps
        assert d(className="android.widget.EditText").wait(timeout=2)
        d.press("home")
    finally:
        phone.ui.wake(True)
        phone.ui.rotate(0)
        d.stop_uiautomator()


# uiautomator2 forgets the connection of a server that ended (killed) without closing it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_the_uiautomator2_server_is_a_process_of_the_phone(
    device: adbutils.AdbDevice, phone: VirtualPhone
) -> None:
    import uiautomator2

    d = uiautomator2.connect(device)
    try:
        assert d.info["screenOn"] is True
        (line,) = [row for row in device.shell("ps -ef").splitlines() if "uia2" in row]
        pid = line.split()[1]
        assert device.shell("pidof app_process") == pid
        assert device.shell("ps -A | grep app_process").split()[1] == pid
        assert device.shell2("kill 1").output == "kill: 1: Operation not permitted\n"
        assert device.shell2(f"kill {pid}").returncode == 0
        deadline = time.monotonic() + 5
        while phone.u2_running.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not phone.u2_running.is_set()
        assert device.shell2("pidof app_process").returncode == 1
        assert not d._check_alive()  # its port no longer answers
        device.shell("rm /data/local/tmp/u2.jar")
        d.start_uiautomator()  # pushes the jar again, then starts the server
        assert phone.path("/data/local/tmp/u2.jar").exists()
        restarted = device.shell("pidof app_process")
        assert restarted
        assert restarted != pid
        assert d.info["currentPackageName"]
        d.stop_uiautomator()
        assert not phone.u2_running.is_set()
        assert device.shell2("pidof app_process").returncode == 1
    finally:
        d.stop_uiautomator()


def test_grep_matches_in_linear_time(phone: VirtualPhone) -> None:
    assert phone.execute_line("ps -A | grep -c zygote").out == b"1\n"
    assert phone.execute_line("echo a.b | grep -F .").out == b"a.b\n"
    assert phone.execute_line("echo abc | grep -v b").status == 1
    slow_for_backtracking = "a" * 3_000
    done = phone.execute_line(f"echo {slow_for_backtracking} | grep -E '(a*)*b'")
    assert done.status == 1  # no match, and no time spent backtracking
    refused = phone.execute_line("echo x | grep '(a'")
    assert refused.status == 2
    assert b"RE2" in refused.err


def test_uiautomator2_installs_its_keyboard_app_and_types_through_it(
    device: adbutils.AdbDevice, phone: VirtualPhone
) -> None:
    import uiautomator2

    d = uiautomator2.connect(device)
    try:
        d.app_start("com.instagram.android")
        d(text="Search").click()
        d.set_input_ime(True)  # adbutils pushes the APK, then pm install reads its manifest
        assert d.current_ime() == "com.github.uiautomator/.AdbKeyboard"
        assert "package:com.github.uiautomator" in device.shell("pm list packages").splitlines()
        info = device.app_info("com.github.uiautomator")
        assert info is not None
        assert (info.version_name, info.version_code) == ("2.4.0", 2004001)
        assert info.first_install_time is not None
        d.send_keys("hello")  # a broadcast the keyboard app answers
        assert d(className="android.widget.EditText").get_text() == "hello"
        d.clear_text()
        assert d(className="android.widget.EditText").get_text() == ""

        apk = Path(uiautomator2.__file__).parent / "assets" / "app-uiautomator.apk"
        remote = "/data/local/tmp/helper.apk"  # adbutils removed its own copy once installed
        device.sync.push(apk, remote)
        again = device.shell(["pm", "install", remote])
        assert again.startswith("Failure [INSTALL_FAILED_ALREADY_EXISTS")
        assert device.shell(["pm", "install", "-r", remote]) == "Success"
        replaced = device.app_info("com.github.uiautomator")
        assert replaced.first_install_time == info.first_install_time  # kept by -r
        missing = device.shell(["pm", "install", "/sdcard/none.apk"])
        assert missing.startswith("Failure [INSTALL_FAILED_INVALID_URI")
        device.sync.push(b"not a zip", "/sdcard/bad.apk")
        assert device.shell("pm install /sdcard/bad.apk").startswith(
            "Failure [INSTALL_PARSE_FAILED_NOT_APK"
        )
        assert device.shell("pm uninstall com.github.uiautomator") == "Success"
        assert device.app_info("com.github.uiautomator") is None
        assert device.shell("ime list -s -a") == "com.android.inputmethod.latin/.LatinIME"
        assert d.current_ime() == "com.android.inputmethod.latin/.LatinIME"
    finally:
        d.stop_uiautomator()
        device.shell("rm /sdcard/bad.apk /data/local/tmp/helper.apk")
        phone.ui.home()


def test_the_shell_runs_scripts_with_background_jobs(phone: VirtualPhone) -> None:
    script = "#!/system/bin/sh\n# a comment\necho first $1 of $#\nread ANY\necho got $ANY\n"
    phone.path("/sdcard/job.sh").write_text(script, encoding="utf-8")
    lines = iter([b"hello"])
    done = phone.execute_line("sh /sdcard/job.sh abc", read_line=lambda: next(lines, None))
    assert done.out == b"first abc of 1\ngot hello\n"
    assert phone.execute_line("sh -c 'echo $0 $1' name arg").out == b"name arg\n"
    background = phone.execute_line("sleep 30 & P=$!; kill -INT $P; wait $P; echo $?")
    assert background.out == b"130\n"  # 128 + SIGINT: the job ended at the signal
    assert phone.execute_line("wait 12345").status == 127
    assert phone.execute_line("which screenrecord sh").out == (
        b"/system/bin/screenrecord\n/system/bin/sh\n"
    )
    assert phone.execute_line("which nothing_like_it").status == 1
    assert phone.execute_line("read X").status == 1  # no terminal: the end of input at once
    phone.path("/sdcard/job.sh").unlink()


def _decoded(path: Path) -> tuple[tuple[int, int], float, list[Any]]:
    """What FFmpeg reads from a video: its size, its duration, and its frames."""
    import av  # the test extra's: FFmpeg's decoders

    with av.open(str(path)) as video:
        stream = video.streams.video[0]
        frames = list(video.decode(video=0))
        assert stream.codec_context.name == "h264"  # as a phone records, browsers play it
        assert stream.duration is not None
        assert stream.time_base is not None
        return (stream.width, stream.height), float(stream.duration * stream.time_base), frames


def test_adbutils_records_the_screen_into_an_mp4_a_player_opens(
    device: adbutils.AdbDevice, phone: VirtualPhone, tmp_path: Path
) -> None:
    phone.ui.home()
    # adbutils' recorder: a script running screenrecord in the background (&, $!), waiting on
    # `read`, then `kill -INT` and `wait`; stop_recording() sends the line and pulls the file.
    device.start_recording(str(tmp_path / "clip.mp4"))
    time.sleep(0.4)
    device.shell(["monkey", "-p", "com.zhiliaoapp.musically", "1"])
    time.sleep(0.4)
    device.keyevent("HOME")
    time.sleep(0.3)
    device.stop_recording()
    size, duration, frames = _decoded(tmp_path / "clip.mp4")
    assert size == (1080, 2340)
    assert len(frames) == 3  # the launcher, TikTok, the launcher: a frame per change
    times = [float(frame.time) for frame in frames]
    assert 0 == times[0] < times[1] < times[2] < duration  # in order, within the video
    launcher, tiktok = frames[0].to_image(), frames[1].to_image()
    assert launcher.getpixel((10, 10)) != tiktok.getpixel((10, 10))  # the status bar's colour
    assert device.shell2("pidof screenrecord").returncode == 1


def test_screenrecord_honours_its_time_limit_and_its_options(
    device: adbutils.AdbDevice, phone: VirtualPhone, tmp_path: Path
) -> None:
    started = time.monotonic()
    assert device.shell("screenrecord --time-limit 1 --size 540x1170 /sdcard/one.mp4") == ""
    assert time.monotonic() - started >= 1  # it ran its whole second (however slow the host)
    device.sync.pull("/sdcard/one.mp4", tmp_path / "one.mp4")
    size, duration, frames = _decoded(tmp_path / "one.mp4")
    assert (size, len(frames)) == ((540, 1170), 1)
    assert duration >= 1  # the one frame lasts the whole recording
    out_of_range = device.shell2("screenrecord --time-limit 0 /sdcard/x.mp4")
    assert out_of_range.returncode == 2
    assert "outside acceptable range [1,180]" in out_of_range.output
    assert "Must specify output file" in device.shell2("screenrecord").output
    # Killed outright, a recording never writes its index: no player opens it.
    device.shell("screenrecord /sdcard/killed.mp4 & P=$!; sleep 0.3; kill -9 $P; wait")
    assert b"moov" not in phone.path("/sdcard/killed.mp4").read_bytes()
    device.shell("rm /sdcard/one.mp4 /sdcard/killed.mp4")
