"""Write src/storywire/web/static/favicon.ico: the favicon.svg design (a blue square
with three white lines, a story's headline and text) as a 32x32 PNG inside an ICO.

Run once after changing the design: ``python -m tools.make_favicon``.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIZE = 32
BLUE, WHITE = (0x0B, 0x53, 0x94, 255), (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
BARS = ((6, 8, 20, 4), (6, 15, 16, 3), (6, 21, 12, 3))  # x, y, width, height
OUT = Path(__file__).resolve().parent.parent / "src/storywire/web/static/favicon.ico"


def pixel(x: int, y: int) -> tuple[int, int, int, int]:
    r = 6  # rounded corners, as rx="6" in the SVG
    cx = min(max(x, r), SIZE - 1 - r)
    cy = min(max(y, r), SIZE - 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    inside = any(bx <= x < bx + w and by <= y < by + h for bx, by, w, h in BARS)
    return WHITE if inside else BLUE


def png() -> bytes:
    rows = b"".join(b"\0" + b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def ico(image: bytes) -> bytes:
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image


if __name__ == "__main__":
    OUT.write_bytes(ico(png()))
    print(f"{OUT}: {OUT.stat().st_size} bytes")
