"""What a server killed outright left behind is ended and removed by the next one."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

import reference_server.state
from reference_server import ServerConfig, create_app, orphan_sweep
from reference_server.orphan_sweep import FOLDER_PREFIX, LAB_ENV, folder_prefix

from ..children import ended_pid, mark_of
from ..waiting import wait_until


def test_a_killed_servers_adb_server_and_phone_folders_are_cleaned_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mark and the folders' prefix are this test's own: the servers other tests start
    # meanwhile (other workers') sweep the machine too, and must not end these first.
    own = f"{os.getpid()}x{uuid.uuid4().hex[:8]}"
    mark = f"{LAB_ENV}_{own}"
    monkeypatch.setattr(reference_server.state, "LAB_ENV", mark)
    monkeypatch.setattr(orphan_sweep, "FOLDER_PREFIX", f"{FOLDER_PREFIX}{own}")
    dead = ended_pid()
    folder = Path(tempfile.mkdtemp(prefix=f"{orphan_sweep.FOLDER_PREFIX}-{dead}-phone1-"))
    (folder / "sdcard").mkdir()
    mine = Path(tempfile.mkdtemp(prefix=folder_prefix()))  # a live server's: kept
    env = {**os.environ, mark: str(dead)}
    adb = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    try:
        wait_until(lambda: mark_of(adb.pid, mark) == str(dead), "the leftover's mark")
        with caplog.at_level(logging.INFO, logger="reference_server"):
            app = create_app(ServerConfig(db=tmp_path / "tasks.sqlite3", run_scheduler=False))
        app.extensions["tikmatrix_close"]()
        assert adb.wait(10) != 0  # ended
        assert not folder.exists()
        assert mine.exists()
        said = {(record.levelname, record.getMessage()) for record in caplog.records}
        ended = [m for level, m in said if level == "WARNING" and "was killed left" in m]
        assert len(ended) == 1  # said plainly: what was ended, and why it was there
        assert re.fullmatch(
            r"a reference server that was killed left \d+ process\(es\) running \(custom "
            r"scripts, or its virtual phones' adb server\): ended them",
            ended[0],
        )
        removed = [m for level, m in said if level == "INFO" and m.startswith("removed ")]
        assert len(removed) == 1  # routine: INFO, not a warning
        assert re.fullmatch(
            r"removed \d+ virtual phone folder\(s\) a stopped server left behind", removed[0]
        )
    finally:
        if adb.poll() is None:
            adb.kill()
        adb.wait()
        mine.rmdir()


def test_a_phones_folder_is_named_for_its_server() -> None:
    from reference_server.android.system import AndroidSystem

    phone = AndroidSystem("named")
    try:
        assert phone.root.name.startswith(f"{FOLDER_PREFIX}-{os.getpid()}-named-")
    finally:
        phone.close()
