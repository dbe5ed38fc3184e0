"""The phone's sh: exit statuses, variables, redirections, pipes and builtins, as sh has them."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_server.android.system import AndroidSystem


@pytest.fixture
def phone() -> Iterator[AndroidSystem]:
    system = AndroidSystem("shellphone")
    yield system
    system.close()


def run(phone: AndroidSystem, line: str) -> tuple[str, str, int]:
    done = phone.execute_line(line)
    return done.out.decode(), done.err.decode(), done.status


@pytest.mark.parametrize(
    ("line", "out"),
    [
        ("echo -n foo", "foo"),
        ("echo -e 'a\\tb'", "a\tb\n"),
        ("true; echo $?", "0\n"),
        ("false; echo $?", "1\n"),
        ("frobnicate; echo $?", "127\n"),
        ("true && echo yes || echo no", "yes\n"),
        ("false && echo yes || echo no", "no\n"),
        ("false || false || echo third", "third\n"),
        ("X=5; echo $X ${X} \"$X\" '$X'", "5 5 5 $X\n"),
        ("V='a   b'; echo $V; echo \"$V\"", "a b\na   b\n"),
        ('E=; echo [$E] "[$E]"', "[] []\n"),
        ("echo $(echo inner) `echo back`", "inner back\n"),
        ('echo "$(echo a  b)"', "a b\n"),
        ("echo hello | cat", "hello\n"),
        ("pwd; cd /sdcard; pwd", "/\n/sdcard\n"),
        ("echo a\\ b", "a b\n"),
    ],
)
def test_lines_run_as_sh_runs_them(phone: AndroidSystem, line: str, out: str) -> None:
    assert run(phone, line)[0] == out


def test_redirections_write_and_read_files_in_the_sandbox(phone: AndroidSystem) -> None:
    assert run(phone, "echo one > /sdcard/a.txt; echo two >> /sdcard/a.txt") == ("", "", 0)
    assert phone.path("/sdcard/a.txt").read_text(encoding="utf-8") == "one\ntwo\n"
    assert run(phone, "cat < /sdcard/a.txt")[0] == "one\ntwo\n"
    assert run(phone, "ls /nope 2>/dev/null; echo $?") == ("1\n", "", 0)
    assert run(phone, "ls /nope 2>&1") == ("ls: /nope: No such file or directory\n", "", 1)
    assert run(phone, "ls /nope 2> /sdcard/err.txt")[1] == ""
    assert "No such file" in phone.path("/sdcard/err.txt").read_text(encoding="utf-8")
    out, err, status = run(phone, "echo x > /sdcard/missing/dir/f")
    assert (out, status) == ("", 1)
    assert "No such file or directory" in err


def test_files_and_folders(phone: AndroidSystem) -> None:
    assert run(phone, "mkdir /sdcard/a/b")[2] == 1  # no parents without -p
    assert run(phone, "mkdir -p /sdcard/a/b && cd /sdcard/a && touch b/f && ls b") == (
        "f\n",
        "",
        0,
    )
    assert run(phone, "cp b/f b/g && mv b/g c && ls")[0] == "b\nc\n"
    assert "Size: 0" in run(phone, "stat c")[0]
    assert run(phone, "rm c; rm c; echo $?")[0] == "1\n"
    assert run(phone, "rm -f c; echo $?")[0] == "0\n"
    assert run(phone, "rm b")[2] == 1  # a folder needs -r
    assert run(phone, "rm -r b && ls")[0] == ""
    assert run(phone, "cd /nowhere")[2] == 2


def test_properties_identity_and_time(phone: AndroidSystem) -> None:
    assert run(phone, "setprop debug.x 42; getprop debug.x")[0] == "42\n"
    assert run(phone, "id")[0].startswith("uid=2000(shell)")
    assert abs(int(run(phone, "date +%s")[0]) - time.time()) < 5
    started = time.monotonic()
    assert run(phone, "sleep 0.2; echo done")[0] == "done\n"
    assert time.monotonic() - started >= 0.2


def test_a_syntax_error_is_status_2(phone: AndroidSystem) -> None:
    out, err, status = run(phone, "echo 'open")
    assert (out, status) == ("", 2)
    assert "syntax error" in err


_PIECES = st.sampled_from(
    ["true", "false", "echo a", "echo -n b", "echo $?", "echo 'x  y'", 'echo "$?"', "echo $X"]
)
_JOINS = st.sampled_from([";", "&&", "||"])


@pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX sh on this system")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_PIECES, rest=st.lists(st.tuples(_JOINS, _PIECES), max_size=4))
def test_lists_run_as_the_system_sh_runs_them(first: str, rest: list[tuple[str, str]]) -> None:
    line = "X=7; " + first + "".join(f" {join} {piece}" for join, piece in rest)
    expected = subprocess.run(["sh", "-c", line], capture_output=True, text=True, check=False)
    phone = AndroidSystem("judge")
    try:
        done = phone.execute_line(line)
    finally:
        phone.close()
    assert (done.out.decode(), done.status) == (expected.stdout, expected.returncode), line


def test_the_storage_is_bounded(phone: AndroidSystem, monkeypatch: pytest.MonkeyPatch) -> None:
    import reference_server.android.system as system_module

    monkeypatch.setattr(system_module, "MAX_STORAGE", 64)
    assert run(phone, "echo short > /sdcard/a") == ("", "", 0)
    out, err, status = run(phone, "echo " + "x" * 100 + " > /sdcard/b")
    assert (out, status) == ("", 1)
    assert "No space left on device" in err


def test_a_phone_runs_a_bounded_number_of_jobs_and_forgets_the_finished() -> None:
    """#33, item 3: one script multiplied host threads; dead jobs stayed in ``ps``."""
    import threading

    from reference_server.android.system import MAX_JOBS

    phone = AndroidSystem("forkbomb")
    try:
        before = threading.active_count()
        many = " ".join(["sleep 30 &"] * (MAX_JOBS + 8))
        done = phone.execute_line(many)
        assert done.err.count(b"fork: Resource temporarily unavailable") == 8
        assert threading.active_count() <= before + MAX_JOBS
        sleeping = [p.pid for p in phone.processes.find("sleep")]
        assert len(sleeping) == MAX_JOBS
        for pid in sleeping:
            phone.execute_line(f"kill -9 {pid}")
        for process in list(phone.processes.running()):
            assert process.name != "sleep" or process.ended.wait(30)
        assert phone.processes.find("sleep") == []  # finished jobs leave the table
        assert phone.execute_line("sleep 0 & wait $!").status == 0  # and free their slots
        assert phone.execute_line("echo still here").out == b"still here\n"
    finally:
        phone.close()
