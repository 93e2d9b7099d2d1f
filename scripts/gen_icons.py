"""Draws images/icon.png (the extension's 128x128 icon) with the geometry of images/conv-file.svg:
feature maps shrinking through a network, a 3x3 kernel window on the first. Run with Debian's
python3 (Pillow): /usr/bin/python3 scripts/gen_icons.py"""
from pathlib import Path

from PIL import Image, ImageDraw

S = 4 * 4  # 32-unit SVG grid -> 128 px, drawn at 4x for anti-aliasing
img = Image.new("RGBA", (32 * S, 32 * S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)


def box(x, y, w, h):
    return [x * S, y * S, (x + w) * S, (y + h) * S]


d.rounded_rectangle(box(1.5, 11.5, 18, 18), radius=2 * S, fill="#1f6feb")
for v in (7.5, 13.5):
    d.line([v * S, 11.5 * S, v * S, 29.5 * S], fill=(255, 255, 255, 90), width=S)
for h in (17.5, 23.5):
    d.line([1.5 * S, h * S, 19.5 * S, h * S], fill=(255, 255, 255, 90), width=S)
d.rounded_rectangle(box(1.5, 11.5, 12, 12), radius=1 * S, outline="#ffd33d", width=int(1.6 * S))
d.rounded_rectangle(box(14.5, 6.5, 12, 12), radius=int(1.5 * S), fill="#2ea0d8", outline=(13, 17, 23, 64), width=S // 2)
d.rounded_rectangle(box(23.5, 2.5, 7, 7), radius=1 * S, fill="#3fb950", outline=(13, 17, 23, 64), width=S // 2)
out = Path(__file__).resolve().parent.parent / "images" / "icon.png"
img.resize((128, 128), Image.LANCZOS).save(out, optimize=True)
print(out)
