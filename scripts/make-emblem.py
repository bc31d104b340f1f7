#!/usr/bin/env python3
"""Draws layouts/assets/ministry-emblem.png: the fictional ministry's emblem, a navy seal with a
gold ring, a five-pointed star and three waves, on a transparent background.

Standard library only (zlib + struct), no randomness, so the bytes are the same on every run:
    python3 scripts/make-emblem.py [OUT.png]
"""
import math
import struct
import sys
import zlib

SIZE = 240
SS = 4  # supersampling per axis, for smooth edges
NAVY = (31, 56, 100)
GOLD = (191, 144, 0)
WHITE = (255, 255, 255)


def star_contains(x, y, cx, cy, r_out, r_in):
    """Point in a five-pointed star, one point up."""
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        r = r_out if k % 2 == 0 else r_in
        pts.append((cx + r * math.cos(ang), cy + r * math.sin(ang)))
    inside = False
    j = len(pts) - 1
    for i in range(len(pts)):
        xi, yi = pts[i]
        xj, yj = pts[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def sample(x, y):
    """Colour and coverage of one subsample: (rgb, alpha 0/1)."""
    c = SIZE / 2
    dx, dy = x - c, y - c
    d = math.hypot(dx, dy)
    if d > 118:
        return (0, 0, 0), 0
    if d > 108:
        return GOLD, 1
    if d > 104:
        return WHITE, 1
    if star_contains(x, y, c, c - 22, 44, 18):
        return GOLD, 1
    # Three waves below the star.
    for k in range(3):
        base = c + 40 + k * 16
        wave = base + 5 * math.sin((x - c) / 12.0)
        if abs(y - wave) < 3.2 and abs(dx) < 70 - k * 10:
            return WHITE, 1
    return NAVY, 1


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "layouts/assets/ministry-emblem.png"
    raw = bytearray()
    for py in range(SIZE):
        raw.append(0)  # filter type: none
        for px in range(SIZE):
            r = g = b = a = 0
            for sy in range(SS):
                for sx in range(SS):
                    (cr, cg, cb), ca = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS)
                    r += cr * ca
                    g += cg * ca
                    b += cb * ca
                    a += ca
            n = SS * SS
            if a:
                raw += bytes((round(r / a), round(g / a), round(b / a), round(255 * a / n)))
            else:
                raw += bytes((0, 0, 0, 0))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += chunk(b"IEND", b"")
    with open(out, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
