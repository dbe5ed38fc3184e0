"""A small MP4 writer: JPEG frames of the phone's screen, each lasting until the next.

``screenrecord`` needs a file any player opens, and no encoder library: the frames are JPEG
(Pillow writes them) in an ISO base media file (MP4) as MPEG-4 Systems carries them, a
``mp4v`` sample entry whose decoder configuration names JPEG (object type 0x6C). Players
built on FFmpeg (VLC, mpv, ffplay) read it as Motion JPEG. The layout: ``ftyp``, then
``mdat`` with the frames one after another, then ``moov`` with one video track whose sample
table gives each frame's size, its duration (a frame lasts until the screen changes) and the
one chunk they sit in.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

__all__ = ["TIMESCALE", "mjpeg_mp4"]

#: Units per second of every time in the file (milliseconds).
TIMESCALE = 1000
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def _descriptor(tag: int, body: bytes) -> bytes:
    if len(body) >= 128:  # pragma: no cover - every descriptor here is short
        raise ValueError("descriptor too long for a one-byte size")
    return bytes([tag, len(body)]) + body


def _esds(bitrate: int) -> bytes:
    """The elementary stream's description: a visual stream of JPEG pictures (0x6C)."""
    decoder = _descriptor(
        0x04,
        bytes([0x6C, (4 << 2) | 1])  # JPEG; stream type 4 (visual), the reserved bit set
        + (0).to_bytes(3, "big")  # decoding buffer size: unknown
        + struct.pack(">II", bitrate, bitrate),
    )
    sync_layer = _descriptor(0x06, b"\x02")  # the predefined configuration for MP4 files
    stream = _descriptor(0x03, struct.pack(">HB", 1, 0) + decoder + sync_layer)
    return _full_box(b"esds", 0, 0, stream)


def _sample_entry(width: int, height: int, bitrate: int) -> bytes:
    name = b"Motion JPEG"
    compressor = bytes([len(name)]) + name + bytes(31 - len(name))
    return _box(
        b"mp4v",
        bytes(6),
        struct.pack(">H", 1),  # data reference index
        bytes(16),  # pre-defined and reserved
        struct.pack(">HHII", width, height, 0x00480000, 0x00480000),  # 72 dpi each way
        bytes(4),
        struct.pack(">H", 1),  # one frame a sample
        compressor,
        struct.pack(">Hh", 0x0018, -1),  # 24-bit colour; no colour table
        _esds(bitrate),
    )


def mjpeg_mp4(frames: Sequence[tuple[bytes, int]], width: int, height: int) -> bytes:
    """An MP4 of ``frames``: each a JPEG and how long it shows, in milliseconds."""
    if not frames:
        raise ValueError("a video needs at least one frame")
    durations = [max(1, int(duration)) for _, duration in frames]
    total = sum(durations)
    sizes = [len(jpeg) for jpeg, _ in frames]
    bitrate = int(sum(sizes) * 8 * TIMESCALE / total)
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2mp41")
    mdat = _box(b"mdat", *(jpeg for jpeg, _ in frames))
    first_frame = len(ftyp) + 8
    times = _full_box(
        b"stts",
        0,
        0,
        struct.pack(">I", len(durations)),
        *(struct.pack(">II", 1, duration) for duration in durations),
    )
    table = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1), _sample_entry(width, height, bitrate)),
        times,
        _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(frames), 1)),
        _full_box(
            b"stsz", 0, 0, struct.pack(">II", 0, len(sizes)), *(struct.pack(">I", s) for s in sizes)
        ),
        _full_box(b"stco", 0, 0, struct.pack(">II", 1, first_frame)),
    )
    media_info = _box(
        b"minf",
        _full_box(b"vmhd", 0, 1, bytes(8)),
        _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1))),
        table,
    )
    media = _box(
        b"mdia",
        _full_box(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, TIMESCALE, total), b"\x55\xc4\0\0"),
        _full_box(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\0"),
        media_info,
    )
    track = _box(
        b"trak",
        _full_box(
            b"tkhd",
            0,
            3,  # enabled, in the movie
            struct.pack(">IIII", 0, 0, 1, 0),
            struct.pack(">I", total),
            bytes(8),
            struct.pack(">HHHH", 0, 0, 0, 0),
            _MATRIX,
            struct.pack(">II", width << 16, height << 16),
        ),
        media,
    )
    movie = _box(
        b"moov",
        _full_box(
            b"mvhd",
            0,
            0,
            struct.pack(">IIII", 0, 0, TIMESCALE, total),
            struct.pack(">IH", 0x10000, 0x0100),
            bytes(10),
            _MATRIX,
            bytes(24),
            struct.pack(">I", 2),
        ),
        track,
    )
    return ftyp + mdat + movie
