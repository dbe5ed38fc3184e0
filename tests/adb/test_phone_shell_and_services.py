"""A virtual phone's shell words and its services, through the real adb and adbutils (#35,
items 3 and 5): what users' scripts and ADB tooling find on an Android 13 phone."""

from __future__ import annotations

import subprocess

import adbutils
import pytest

from reference_server.virtual.phones_and_adb import VirtualLab


@pytest.fixture(scope="module")
def phone(lab: VirtualLab) -> adbutils.AdbDevice:
    return lab.client.device(lab.phones[0].serial)


def run(phone: adbutils.AdbDevice, line: str) -> tuple[str, int]:
    """What a line prints (stdout, then stderr: shell protocol v2) and its exit code."""
    done = phone.shell2(line, timeout=30, v2=True)
    return done.output, done.returncode


def adb(lab: VirtualLab, *args: str) -> subprocess.CompletedProcess[str]:
    serial = lab.phones[0].serial
    return subprocess.run(
        [lab.adb_path, "-P", str(lab.adb_port), "-s", serial, *args],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "output", "status"),
    [
        ("exit 3", "", 3),
        ("echo before; exit 4; echo after", "before\n", 4),
        ("sh -c 'exit 5'; echo $?", "5\n", 0),
        ("return 6", "", 6),
        ("[ 2 -gt 1 ] && echo more", "more\n", 0),
        ("[ abc = abd ]; echo $?", "1\n", 0),
        ("[ -d /sdcard ] && [ ! -f /sdcard ] && echo folder", "folder\n", 0),
        ("test -n x -a -z '' && echo both", "both\n", 0),
        ("[ 1 -eq one ]", "[: bad number 'one'\n", 2),
        ("[ 1 = 1", "[: missing ]\n", 2),
        ("printf '%s-%03d\\n' a 7 b 8", "a-007\nb-008\n", 0),
        ("printf 'x\\ny\\nz\\n' | wc -l", "3\n", 0),
        ("printf 'x\\ny\\nz\\n' | head -n 2", "x\ny\n", 0),
        ("printf 'x\\ny\\nz\\n' | tail -1", "z\n", 0),
        ("echo hello world | sed 's/o/0/g'", "hell0 w0rld\n", 0),
        ("echo abc | sed 's/\\(a\\)\\(b\\)/\\2\\1/'", "bac\n", 0),
        ("printf '1\\n2\\n3\\n' | sed -n '2p'", "2\n", 0),
        ("echo 'k=v w' | awk -F= '{print $2}'", "v w\n", 0),
        ("printf 'a 1\\nb 2\\n' | awk '$2 == 2 {print $1}'", "b\n", 0),
        ("whoami", "shell\n", 0),
        ("cat /dev/null; echo $?", "0\n", 0),
        ("echo gone > /dev/null; echo $?", "0\n", 0),
        ("cmd package list packages | grep -c musically", "1\n", 0),
        ("cmd nosuchservice", "Can't find service: nosuchservice\n", 20),
        ("svc wifi disable; settings get global wifi_on; svc wifi enable", "0\n", 0),
        ("frobnicate", "/system/bin/sh: frobnicate: inaccessible or not found\n", 127),
    ],
)
def test_the_words_scripts_use_answer_as_on_android(
    phone: adbutils.AdbDevice, line: str, output: str, status: int
) -> None:
    assert run(phone, line) == (output, status)


def test_files_list_long_with_modes_and_headers(phone: adbutils.AdbDevice) -> None:
    run(phone, "rm -rf /data/local/tmp/t; mkdir -p /data/local/tmp/t/sub")
    phone.sync.push(b"#!/system/bin/sh\necho hi\n", "/data/local/tmp/t/run.sh")
    assert run(phone, "chmod 755 /data/local/tmp/t/run.sh")[1] == 0
    listing, status = run(phone, "ls -l /data/local/tmp/t")
    assert status == 0
    lines = listing.splitlines()
    assert lines[0] == "total 8"
    assert lines[1].startswith("-rwxr-xr-x 1 shell shell 25 ")
    assert lines[1].endswith(" run.sh")
    assert lines[2].startswith("drwxr-xr-x 1 shell shell 0 ")
    both, _ = run(phone, "ls /data/local/tmp/t /data/local/tmp/t/sub")
    assert both == "/data/local/tmp/t:\nrun.sh\nsub\n\n/data/local/tmp/t/sub:\n"
    found, _ = run(phone, "find /data/local/tmp/t -name '*.sh'")
    assert found == "/data/local/tmp/t/run.sh\n"
    assert run(phone, "stat /data/local/tmp/t/run.sh | grep -c '(0755)'") == ("1\n", 0)
    assert run(phone, "[ -s /data/local/tmp/t/run.sh ] && sh /data/local/tmp/t/run.sh") == (
        "hi\n",
        0,
    )


def test_the_settings_provider_answers_content(phone: adbutils.AdbDevice) -> None:
    uri = "--uri content://settings/system"
    query = f"content query {uri} --where \"name='screen_brightness'\""
    assert run(phone, query) == ("Row: 0 _id=1, name=screen_brightness, value=102\n", 0)
    put = f"content insert {uri} --bind name:s:tikmatrix_test --bind value:s:7"
    assert run(phone, f"{put}; settings get system tikmatrix_test") == ("7\n", 0)
    assert run(phone, f"content delete {uri} --where \"name='tikmatrix_test'\"")[1] == 0
    assert run(phone, "settings get system tikmatrix_test") == ("null\n", 0)


def test_properties_and_the_battery_are_a_phones(phone: adbutils.AdbDevice) -> None:
    assert phone.getprop("ro.product.cpu.abi") == "arm64-v8a"
    assert phone.getprop("ro.product.name") == "tikmatrix_virtual"
    assert phone.getprop("ro.product.device") == "virtual"
    assert phone.getprop("ro.build.type") == "user"
    battery = phone.battery()
    assert (battery.level, battery.ac_powered, battery.usb_powered) == (85, False, True)
    assert battery.present is True
    assert battery.voltage == 4180
    assert battery.temperature == 28.5


def test_adb_root_and_tcpip_answer_as_a_production_phone(lab: VirtualLab) -> None:
    root = adb(lab, "root")
    assert root.stdout + root.stderr == "adbd cannot run as root in production builds\n"
    tcpip = adb(lab, "tcpip", "5555")
    assert tcpip.stdout + tcpip.stderr == "restarting in TCP mode port: 5555\n"
    assert adb(lab, "shell", "echo", "still here").stdout == "still here\n"


def test_a_background_jobs_output_reaches_the_terminal_as_it_is_printed(
    phone: adbutils.AdbDevice,
) -> None:
    """#35, item 6: not held until a `wait` that may never come."""
    connection = phone.shell(
        "sh -c 'echo first; sleep 1; echo later' & read REPLY; echo typed $REPLY", stream=True
    )
    try:
        connection.conn.settimeout(20)
        shown = b""
        while b"first\n" not in shown:  # the job printed while the shell waits for input
            chunk = connection.conn.recv(64)  # what has come (read(n) waits for n)
            assert chunk, shown
            shown += chunk
        connection.send(b"go\n")  # the terminal's input: the shell's read ends
        while b"typed go\n" not in shown:
            chunk = connection.conn.recv(64)  # what has come (read(n) waits for n)
            assert chunk, shown
            shown += chunk
    finally:
        connection.close()
    assert shown.startswith(b"first\n")
    assert b"typed go\n" in shown


def test_each_part_of_a_line_reaches_the_terminal_when_it_is_done(
    phone: adbutils.AdbDevice,
) -> None:
    connection = phone.shell("echo one; read REPLY; echo two $REPLY", stream=True)
    try:
        connection.conn.settimeout(20)
        assert connection.read(4) == b"one\n"  # before the line is over
        connection.send(b"x\n")
        rest = b""
        while not rest.endswith(b"two x\n"):
            chunk = connection.conn.recv(64)  # what has come (read(n) waits for n)
            assert chunk, rest
            rest += chunk
    finally:
        connection.close()
