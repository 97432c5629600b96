#!/usr/bin/env python3
"""Draws Quietlegs' app icons (a pale crescent moon on the app's accent blue) as PNG files,
with the standard library only, so the artwork is ours and can be drawn again:
    python3 make_icons.py   (writes icon-192.png, icon-512.png, icon-maskable-512.png here)
"""
import os
import struct
import zlib

BG = (0x3D, 0x5A, 0x80)
FG = (0xF7, 0xF6, 0xF2)
SS = 3  # samples per pixel side (anti-aliasing)


def coverage(size, inside):
    """Fraction of each pixel's samples for which inside(x, y) holds, x and y in 0..1."""
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            hits = 0
            for sy in range(SS):
                for sx in range(SS):
                    if inside((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size):
                        hits += 1
            row.append(hits / (SS * SS))
        rows.append(row)
    return rows


def rounded_square(x, y, radius=0.18):
    dx = max(radius - x, 0, x - (1 - radius))
    dy = max(radius - y, 0, y - (1 - radius))
    return dx * dx + dy * dy <= radius * radius


def crescent(scale):
    r = 0.30 * scale

    def inside(x, y):
        cx, cy = 0.5, 0.5
        in_moon = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
        bx, by, br = cx + 0.42 * r, cy - 0.28 * r, 0.86 * r
        return in_moon and (x - bx) ** 2 + (y - by) ** 2 > br * br

    return inside


def png(path, size, maskable):
    bg = coverage(size, (lambda x, y: True) if maskable else rounded_square)
    moon = coverage(size, crescent(0.78 if maskable else 1.0))
    raw = bytearray()
    for y in range(size):
        raw.append(0)  # filter: none
        for x in range(size):
            m = moon[y][x]
            a = bg[y][x]
            rgb = [round(BG[i] * (1 - m) + FG[i] * m) for i in range(3)]
            raw.extend(rgb + [round(255 * max(a, m))])

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(bytes(raw), 9)))
        f.write(chunk(b"IEND", b""))


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    png(os.path.join(here, "icon-192.png"), 192, False)
    png(os.path.join(here, "icon-512.png"), 512, False)
    png(os.path.join(here, "icon-maskable-512.png"), 512, True)
