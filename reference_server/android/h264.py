"""``screenrecord``'s video as a phone writes it: H.264 in MP4, by FFmpeg's x264 through PyAV.

A phone's ``screenrecord`` writes H.264, which every player and browser plays. PyAV's wheels
carry FFmpeg with the x264 encoder, and the server extra installs PyAV; where PyAV cannot be
imported (a platform without its wheel), :func:`h264_mp4` answers ``None`` and the recording
falls back to Motion JPEG (:mod:`.mp4`), which players built on FFmpeg open but browsers do
not. Each frame keeps its own time, so a screen that did not change for a second is one
frame lasting a second, as on a phone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction

from PIL import Image

__all__ = ["h264_available", "h264_mp4"]

#: The encoder's settings: fast, small for screens that rarely change, and a packet out for
#: each frame in (no frames held back), so that each packet can carry its frame's duration.
_OPTIONS = {"preset": "veryfast", "crf": "26", "tune": "zerolatency"}


def h264_available() -> bool:
    """Whether this machine can write H.264 (PyAV imports, and its FFmpeg has x264)."""
    try:
        import av
    except ImportError:
        return False
    try:
        av.codec.Codec("libx264", "w")
    except Exception:  # an FFmpeg built without x264
        return False
    return True


def h264_mp4(frames: Sequence[tuple[bytes, int]], width: int, height: int) -> bytes | None:
    """An MP4 of ``frames`` (a JPEG or PNG picture and how many milliseconds it lasts).

    ``None`` when this machine has no H.264 encoder (see :func:`h264_available`).
    """
    if not h264_available():
        return None
    import av

    out = io.BytesIO()
    even = (width - width % 2, height - height % 2)  # 4:2:0 needs even sides
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=1000, options=_OPTIONS)
        stream.width, stream.height = even
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        at = 0
        for picture, lasts in frames:
            image = Image.open(io.BytesIO(picture)).convert("RGB")
            if image.size != even:
                image = image.resize(even)
            frame = av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]
            frame.pts, frame.time_base = at, Fraction(1, 1000)
            for packet in stream.encode(frame):
                packet.duration = max(1, lasts)  # the last frame lasts to the recording's end
                container.mux(packet)
            at += max(1, lasts)
        container.mux(stream.encode(None))
    return out.getvalue()
