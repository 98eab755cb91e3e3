"""Draw the site's icon: a white "K" on the site's blue, as favicon.ico (16, 32, 48 px) and PNG.

    .venv/bin/python scripts/favicon.py

Written to src/kb/static/; run again only to change the icon (the files are committed).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

STATIC = Path(__file__).resolve().parent.parent / "src" / "kb" / "static"
BLUE = "#154273"  # --kb-blue in kb.css
FONT = STATIC / "fonts" / "LiberationSans-Bold.ttf"


def icon(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=max(2, size // 6), fill=BLUE)
    font = ImageFont.truetype(str(FONT), int(size * 0.78))
    draw.text((size / 2, size / 2), "K", font=font, fill="white", anchor="mm")
    return image


def main() -> None:
    big = icon(256)
    big.save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    icon(180).save(STATIC / "apple-touch-icon.png")
    print(STATIC / "favicon.ico")


if __name__ == "__main__":
    main()
