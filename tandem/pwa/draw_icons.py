"""Draws Tandem's app icons once (`python -m tandem.pwa.draw_icons`); the PNGs are committed.

Two interlocking rings on the theme colour: two people riding one bicycle. The maskable icon
keeps the rings inside the central 80% a launcher may crop to a circle; the plain ones fill
a rounded square.
"""

from pathlib import Path

from PIL import Image, ImageDraw

THEME = "#0d6efd"
STATIC = Path(__file__).resolve().parent / "static" / "pwa"


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges without an antialiasing library
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=THEME)
        glyph = big * 0.56
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.18, fill=THEME)
        glyph = big * 0.72
    radius = glyph * 0.3
    width = max(scale, int(glyph * 0.085))
    centre_y = big / 2
    for centre_x in (big / 2 - radius * 0.62, big / 2 + radius * 0.62):
        pen.ellipse(
            (centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius),
            outline="white",
            width=width,
        )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    STATIC.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(STATIC / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(STATIC / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
