"""The command on a console that is not UTF-8 (Windows' cp1252, a plain ASCII pipe).

Emoji and box-drawing characters degrade; nothing raises ``UnicodeEncodeError``.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from .test_tikmatrix_command import COMMAND, server  # noqa: F401 - the fixture

ENCODINGS = ["cp1252", "ascii"]


def _run(encoding: str, *args: str, url: str) -> tuple[int, str]:
    """Run the command writing ``encoding``; what it wrote, read back in that encoding."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TIKMATRIX_")}
    environment.update(TIKMATRIX_BASE_URL=url, PYTHONIOENCODING=encoding, PYTHONUTF8="0")
    done = subprocess.run(
        [COMMAND, *args], capture_output=True, timeout=120, env=environment, check=False
    )
    # strict: it wrote only that (click takes an ASCII stream for a misconfigured one, and
    # writes UTF-8 to it)
    said = (done.stdout + done.stderr).decode("utf-8" if encoding == "ascii" else encoding)
    assert "Traceback" not in said, said
    return done.returncode, said


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_tables_json_and_errors_survive_the_console(server: str, encoding: str) -> None:  # noqa: F811
    code, said = _run(
        encoding,
        "tasks", "create", "comment", "--serial", "device_serial_1",
        "--set", "target_post_url=https://www.tiktok.com/@a/video/1",
        "--set", "comment_content=nice 🔥 — é",
        url=server,
    )  # fmt: skip
    assert code == 0, said
    task_id = said.strip().rsplit(" ", 1)[-1]
    for args in (
        ("tasks", "wait", task_id, "--timeout", "30"),
        ("tasks", "get", task_id),
        ("tasks", "list"),
        ("license",),
        ("--help",),
    ):
        code, said = _run(encoding, *args, url=server)
        assert code == 0, (args, said)
    code, said = _run(
        encoding,
        "tasks",
        "create",
        "follow",
        "--serial",
        "📱 phone",
        "--set",
        'target_users=["@a"]',
        url=server,
    )
    assert code != 0
    assert "unknown device" in said
    code, said = _run(encoding, "tasks", "get", task_id, "--json", url=server)
    assert code == 0
    assert '"nice \\ud83d\\udd25 \\u2014 \\u00e9"' in said  # escaped: lossless JSON
