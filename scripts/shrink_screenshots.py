"""Keep docs/screenshots small enough for the repository: 128-colour PNGs, at most 8,000 pixels tall.

Run after scripts/screenshots.py (`make screenshots` does both). A page taller than the limit keeps its top
part; the browser tests, not the screenshots, prove what the rest of the page shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

MAX_HEIGHT = 8000
COLOURS = 128


def shrink(path: Path) -> tuple[int, int]:
    before = path.stat().st_size
    with Image.open(path) as image:
        picture = image.convert("RGB")
    if picture.height > MAX_HEIGHT:
        picture = picture.crop((0, 0, picture.width, MAX_HEIGHT))
    quantized = picture.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    quantized.save(path, optimize=True)
    return before, path.stat().st_size


def main(folder: str = "docs/screenshots") -> None:
    total_before = total_after = 0
    for path in sorted(Path(folder).glob("*.png")):
        before, after = shrink(path)
        total_before += before
        total_after += after
    print(f"screenshots: {total_before / 1e6:.1f} MB -> {total_after / 1e6:.1f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
