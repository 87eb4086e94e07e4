"""Turn a PDF into an image-only "scan" of itself: rendered pages, optional noise and skew.

For tests and benchmarks of OCR: the text of the source PDF is known, the output has no
text layer, so what a reader finds in it is what the OCR engine recognised.
"""

from __future__ import annotations

import random
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from core.ingest.ocr import render


def degrade(
    image: Image.Image, *, noise: float = 0.0, skew_deg: float = 0.0, blur: float = 0.0,
    seed: int = 0,
) -> Image.Image:
    """A scanner's faults: a rotation by `skew_deg` degrees, a slight blur, and speckle noise
    (`noise` is the share of pixels flipped to a random grey, e.g. 0.02)."""
    out = image.convert("L")
    if skew_deg:
        out = out.rotate(skew_deg, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if noise > 0:
        rng = random.Random(seed)
        pixels = out.load()
        assert pixels is not None
        width, height = out.size
        for _ in range(int(width * height * noise)):
            pixels[rng.randrange(width), rng.randrange(height)] = rng.randrange(0, 256)
    return out


def write_scan(
    src: Path,
    dst: Path,
    *,
    dpi: int = 200,
    noise: float = 0.0,
    skew_deg: float = 0.0,
    blur: float = 0.0,
    seed: int = 0,
    quality: int = 75,
) -> Path:
    """Write `dst`: every page of `src` as a JPEG image at `dpi`, degraded, no text layer."""
    pdf = pdfium.PdfDocument(str(src))
    try:
        images = [
            degrade(render(pdf, i, dpi), noise=noise, skew_deg=skew_deg, blur=blur,
                    seed=seed + i)
            for i in range(len(pdf))
        ]
    finally:
        pdf.close()
    if not images:
        raise ValueError(f"{src}: no pages to render")
    dst = Path(dst)
    images[0].save(
        dst, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi), quality=quality
    )
    return dst
