"""Recognise the text of page images: pypdfium2 renders, Tesseract reads.

Tesseract (Debian's `tesseract-ocr`, run as a command) was chosen over RapidOCR after
measuring both on real scans and generated pages (bench/README.md, "OCR"): it was about
8x faster per page on one core, kept the spaces between English words that RapidOCR's
Chinese/English model drops, and handles pages turned by 90 degrees through its own
orientation detection (`--psm 1`). Runs inside the PDF reader process, so the reader's
time limit and memory cap (inherited by the tesseract child) apply to it too.

Recognised text is checked for plausibility: the share of its words that Tesseract itself is
confident of (its word confidence counts whether a word is in the language model's dictionary).
A Chinese page read with the English model gives capitals that look like words ("AREF TRE
HUMAAI") but about 5% confident words, against over 90% on a noisy English scan; under
MIN_CONFIDENT_SHARE the paper is stored with a line saying the text looks unreadable. An
engine that gives no confidences is judged by the character-class test of clean.garbled().
"""

from __future__ import annotations

import functools
import io
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
# Words Tesseract is confident of (conf >= CONFIDENT) among those it read: gibberish from a
# missing language model ~0.05, English scans with 1% speckle noise > 0.9 (tests/core/test_ocr.py)
CONFIDENT = 60.0
MIN_CONFIDENT_SHARE = 0.4
MIN_WORDS_TO_JUDGE = 10  # fewer words (a caption, a page number) say nothing either way


class OcrEngine(Protocol):
    """Text of one page image (a PIL image), in reading order, lines separated by newlines."""

    name: str

    def recognise(self, image: Image) -> str: ...


class OcrUnavailableError(NeedsOcrError):
    """OCR is wanted but cannot run here (no engine, or no model for the language)."""


@dataclass
class Readability:
    """How many recognised words the engine was confident of, over the pages read so far."""

    words: int = 0
    confident: int = 0
    garbled_text: bool = False  # for engines without confidences: clean.garbled() of the text

    def add(self, words: int, confident: int) -> None:
        self.words += words
        self.confident += confident

    @property
    def unreadable(self) -> bool:
        if self.words >= MIN_WORDS_TO_JUDGE:
            return self.confident < MIN_CONFIDENT_SHARE * self.words
        return self.garbled_text

    def message(self, language: str) -> str:
        """The line for the `add` output: what is wrong and what to install."""
        share = (f" (Tesseract's {language} model knows {self.confident / self.words:.0%} of "
                 "its words)") if self.words else ""
        return (f"OCR text looks unreadable{share}: is the language installed? e.g. "
                "`--ocr-language chi_sim` needs `tesseract-ocr-chi-sim`")


def package_for(language: str) -> str:
    """Debian's package of a Tesseract language model: chi_sim -> tesseract-ocr-chi-sim."""
    return "tesseract-ocr-" + language.replace("_", "-").lower()


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
            package = package_for(missing[0])
            raise OcrUnavailableError(
                f"OCR language {'+'.join(missing)!r} is not installed for Tesseract "
                f"(has: {', '.join(sorted(have)) or 'none'}); install it (Debian/Ubuntu: "
                f"apt-get install {package}) or choose another OCR language in the settings"
            )

    def recognise(self, image: Image) -> str:
        return self.recognise_scored(image)[0]

    def recognise_scored(self, image: Image) -> tuple[str, int, int]:
        """(text, words read, words Tesseract is confident of) of one page image: one run of
        Tesseract writes both its text and its word confidences (the `txt` and `tsv` configs)."""
        from PIL import ImageFilter

        # A 3x3 median removes scanner speckle; at 200 dpi it took noisy generated pages from
        # 68% to 99.8% character accuracy and costs nothing on clean ones (bench/ocr.py).
        cleaned = image.convert("L").filter(ImageFilter.MedianFilter(3))
        png = io.BytesIO()
        cleaned.save(png, "PNG")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core: the embedder has the other
        with tempfile.TemporaryDirectory(prefix="lantern-ocr-") as folder:
            base = Path(folder) / "page"
            self._run([self.binary, "stdin", str(base), "-l", self.settings.language,
                       "--psm", "1", "txt", "tsv"], png.getvalue(), env)
            try:
                text = base.with_suffix(".txt").read_text(encoding="utf-8", errors="replace")
                table = base.with_suffix(".tsv").read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise NeedsOcrError(f"OCR failed (tesseract wrote no output: {exc.strerror})") from exc
        words, confident = word_confidences(table)
        return text, words, confident

    def _run(self, argv: list[str], png: bytes, env: dict[str, str]) -> None:
        """Run Tesseract on one page; NeedsOcrError or ParseTimeoutError if it fails."""
        try:
            out = subprocess.run(
                argv, input=png, capture_output=True, env=env, check=False,
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


def word_confidences(tsv: str) -> tuple[int, int]:
    """(words, words with confidence >= CONFIDENT) in Tesseract's TSV output: rows of level 5
    whose text holds a letter or digit (lone punctuation and speckles say nothing)."""
    words = confident = 0
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not any(c.isalnum() for c in cols[11]):
            continue
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        words += 1
        confident += conf >= CONFIDENT
    return words, confident


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
    scores: dict[int, tuple[int, int]] | None = None,
) -> dict[int, str]:
    """Recognised text of the pages at `indices` (0-based) of the PDF in `data`; an engine
    that gives word confidences puts (words, confident words) of each page in `scores`.

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
                scored = getattr(engine, "recognise_scored", None)
                if scored is not None:
                    out[index], words, confident = scored(image)
                    if scores is not None:
                        scores[index] = (words, confident)
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
    readability: Readability | None = None,
) -> set[int]:
    """Put recognised text into `raw` for the pages that need it; return their 0-based indices.
    `readability` is told how plausible the text kept is.

    In a scan every recognised page is kept, however poor (labelled, so a reader knows); in
    a text paper an image page's text is kept only if it reads like words (a recognised
    figure is mostly noise).
    """
    wanted = choose_pages(texts, settings.mode, min_chars)
    if not wanted:
        return set()
    whole = len(wanted) == len(texts)
    done: set[int] = set()
    scores: dict[int, tuple[int, int]] = {}
    for index, text in ocr_pages(data, wanted, settings, on_page=on_page, scores=scores).items():
        cleaned = clean_text(text)
        if len(cleaned) >= min_chars and (whole or not garbled(cleaned)):
            raw[index] = text
            done.add(index)
    if readability is not None:  # judged on the pages kept
        for index in done & scores.keys():
            readability.add(*scores[index])
        readability.garbled_text = garbled("\n".join(clean_text(raw[i]) for i in done))
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
