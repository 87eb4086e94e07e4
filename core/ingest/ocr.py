"""Recognise the text of page images: pypdfium2 renders, Tesseract reads.

Tesseract (Debian's `tesseract-ocr`, run as a command) was chosen over RapidOCR after
measuring both on real scans and generated pages (bench/README.md, "OCR"): it was about
8x faster per page on one core, kept the spaces between English words that RapidOCR's
Chinese/English model drops, and handles pages turned by 90 degrees through its own
orientation detection (`--psm 1`). Runs inside the PDF reader process, so the reader's
time limit and memory cap (inherited by the tesseract child) apply to it too.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PIL.Image import Image

from core.errors import NeedsOcrError, ParseTimeoutError
from core.ingest.clean import clean_text, garbled
from core.settings import OcrSettings

log = logging.getLogger(__name__)

MAX_SIDE_PX = 5000  # a poster-sized page is rendered smaller than `dpi` asks
_INSTALL = "install Tesseract (Debian/Ubuntu: apt-get install tesseract-ocr)"


class OcrEngine(Protocol):
    """Text of one page image (a PIL image), in reading order, lines separated by newlines."""

    name: str

    def recognise(self, image: Image) -> str: ...


class OcrUnavailableError(NeedsOcrError):
    """OCR is wanted but cannot run here (no engine, or no model for the language)."""


@functools.cache
def _languages(binary: str) -> frozenset[str]:
    """The language models this Tesseract has (`tesseract --list-langs`)."""
    out = subprocess.run(
        [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    lines = (out.stdout or out.stderr).splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


class TesseractOcr:
    """The `tesseract` command, one call per page: PNG in through stdin, text out."""

    name = "tesseract"

    def __init__(self, settings: OcrSettings) -> None:
        self.settings = settings
        found = str(settings.tesseract) if settings.tesseract else shutil.which("tesseract")
        if not found or not Path(found).exists():
            raise OcrUnavailableError(f"no text layer (scanned images?) and OCR is not available: {_INSTALL}")
        self.binary = found
        have = _languages(found)
        missing = [lang for lang in settings.language.split("+") if lang not in have]
        if missing:
            package = "tesseract-ocr-" + missing[0].replace("_", "-").lower()
            raise OcrUnavailableError(
                f"OCR language {'+'.join(missing)!r} is not installed for Tesseract "
                f"(has: {', '.join(sorted(have)) or 'none'}); install it (Debian/Ubuntu: "
                f"apt-get install {package}) or choose another OCR language in the settings"
            )

    def recognise(self, image: Image) -> str:
        from PIL import ImageFilter

        # A 3x3 median removes scanner speckle; at 200 dpi it took noisy generated pages from
        # 68% to 99.8% character accuracy and costs nothing on clean ones (bench/ocr.py).
        cleaned = image.convert("L").filter(ImageFilter.MedianFilter(3))
        png = io.BytesIO()
        cleaned.save(png, "PNG")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core: the embedder has the other
        try:
            out = subprocess.run(
                [self.binary, "stdin", "stdout", "-l", self.settings.language, "--psm", "1"],
                input=png.getvalue(), capture_output=True, env=env, check=False,
                timeout=self.settings.page_timeout_s,
            )
        except subprocess.TimeoutExpired as exc:
            raise ParseTimeoutError(
                f"OCR of one page took longer than {self.settings.page_timeout_s:g} s; "
                "try a lower OCR resolution (dpi) in the settings"
            ) from exc
        if out.returncode != 0:
            reason = out.stderr.decode(errors="replace").strip().splitlines()
            log.debug("tesseract failed (%s): %s", out.returncode, reason)
            raise NeedsOcrError(
                f"OCR failed (tesseract exit code {out.returncode}: {reason[-1] if reason else '?'})"
            )
        return out.stdout.decode("utf-8", errors="replace")


def make_engine(settings: OcrSettings) -> OcrEngine:
    """The OCR engine the settings ask for; OcrUnavailableError when it cannot run here."""
    return TesseractOcr(settings)


def ocr_pages(
    data: bytes,
    indices: Sequence[int],
    settings: OcrSettings,
    *,
    engine: OcrEngine | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> dict[int, str]:
    """Recognised text of the pages at `indices` (0-based) of the PDF in `data`.

    on_page(done, total) is called after each page, so the reader can report progress
    (and its parent can stop it between pages). A page pdfium cannot render is left out.
    """
    import pypdfium2 as pdfium

    engine = engine or make_engine(settings)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise NeedsOcrError(f"no text layer, and its pages cannot be rendered for OCR ({exc})") from exc
    out: dict[int, str] = {}
    if on_page is not None:
        on_page(0, len(indices))
    try:
        for done, index in enumerate(indices, start=1):
            try:
                image = render(pdf, index, settings.dpi)
            except pdfium.PdfiumError as exc:
                log.debug("page %d: cannot render for OCR: %s", index + 1, exc)
            else:
                out[index] = engine.recognise(image)
            if on_page is not None:
                on_page(done, len(indices))
    finally:
        pdf.close()
    return out


def choose_pages(texts: Sequence[str], mode: str, min_chars: int) -> list[int]:
    """0-based pages to recognise: every page (force, or a garbled text layer), else those
    with less than `min_chars` characters of text."""
    if mode == "force" or garbled("\n".join(texts)):
        return list(range(len(texts)))
    return [i for i, text in enumerate(texts) if len(text) < min_chars]


def recognise_pages(
    data: bytes,
    raw: list[str],
    texts: Sequence[str],
    settings: OcrSettings,
    min_chars: int,
    on_page: Callable[[int, int], None] | None = None,
) -> set[int]:
    """Put recognised text into `raw` for the pages that need it; return their 0-based indices.

    In a scan every recognised page is kept, however poor (labelled, so a reader knows); in
    a text paper an image page's text is kept only if it reads like words (a recognised
    figure is mostly noise).
    """
    wanted = choose_pages(texts, settings.mode, min_chars)
    if not wanted:
        return set()
    whole = len(wanted) == len(texts)
    done: set[int] = set()
    for index, text in ocr_pages(data, wanted, settings, on_page=on_page).items():
        cleaned = clean_text(text)
        if len(cleaned) >= min_chars and (whole or not garbled(cleaned)):
            raw[index] = text
            done.add(index)
    return done


def render(pdf: object, index: int, dpi: int) -> Image:
    """Page `index` (0-based) as a greyscale PIL image at `dpi`, at most MAX_SIDE_PX a side."""
    page = pdf[index]  # type: ignore[index]
    try:
        width, height = page.get_size()
        scale = min(dpi / 72.0, MAX_SIDE_PX / max(width, height, 1.0))
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return bitmap.to_pil().convert("L")
        finally:
            bitmap.close()
    finally:
        page.close()
