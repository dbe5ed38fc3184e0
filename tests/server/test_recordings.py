"""A phone's screen recording is H.264 where PyAV's FFmpeg can write it, Motion JPEG where it
cannot (#35, item 6): both decoded by FFmpeg, each frame lasting until the next."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from reference_server.android import h264, tools
from reference_server.android.system import AndroidSystem


@pytest.fixture
def phone() -> Iterator[AndroidSystem]:
    system = AndroidSystem("recorder")
    yield system
    system.close()


def _codec_and_duration(path: Path) -> tuple[str, float, int]:
    with av.open(str(path)) as video:
        stream = video.streams.video[0]
        frames = list(video.decode(video=0))
        assert stream.duration is not None
        assert stream.time_base is not None
        return stream.codec_context.name, float(stream.duration * stream.time_base), len(frames)


def test_a_recording_is_h264_and_lasts_its_time(phone: AndroidSystem) -> None:
    assert h264.h264_available()
    assert phone.execute_line("screenrecord --time-limit 1 /sdcard/a.mp4").status == 0
    codec, duration, frames = _codec_and_duration(phone.path("/sdcard/a.mp4"))
    assert (codec, frames) == ("h264", 1)
    assert duration >= 1


def test_without_an_h264_encoder_it_is_motion_jpeg(
    phone: AndroidSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(h264, "h264_available", lambda: False)
    assert h264.h264_mp4([], 2, 2) is None
    monkeypatch.setattr(tools, "h264_mp4", h264.h264_mp4)
    assert phone.execute_line("screenrecord --time-limit 1 /sdcard/b.mp4").status == 0
    codec, duration, frames = _codec_and_duration(phone.path("/sdcard/b.mp4"))
    assert (codec, frames) == ("mjpeg", 1)
    assert duration >= 1
