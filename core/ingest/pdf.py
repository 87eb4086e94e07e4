"""Read a PDF into cleaned pages with sections and metadata, or fail with one clear IngestError.

pypdf reads in non-strict mode so that damaged files still give what can be read; every
failure it or Python can raise on a bad file is turned into an IngestError subclass whose
message says what is wrong and what to do. Run it through worker.ParserProcess to also get
a time limit and a memory cap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import (
    DependencyError,
    DeprecationError,
    FileNotDecryptedError,
    LimitReachedError,
    PyPdfError,
)
from pypdf.generic import DictionaryObject, NameObject

from core.errors import (
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    IngestError,
    NeedsOcrError,
    TooLargeError,
)
from core.ingest.clean import clean_pages, clean_text, garbled, scrub
from core.ingest.meta import extract_meta
from core.ingest.ocr import Readability, recognise_pages
from core.ingest.pdffile import pdf_bytes, read_file
from core.ingest.sections import detect_sections
from core.ingest.title import title_from_layout
from core.settings import OcrSettings
from core.types import Page, ParsedDocument

log = logging.getLogger(__name__)

MIN_CHARS_PER_PAGE = 20  # less on average: a scan without a text layer
_RESAVE = "try re-saving it from a PDF viewer"
_OCR = "no text layer (scanned images?): turn OCR on (lantern add --ocr auto) or run ocrmypdf on it"
_GARBLED = "its text layer is garbled (bad OCR or broken fonts): run OCR on it again, e.g. ocrmypdf --force-ocr"

@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's logging and warnings unless the root logger is at DEBUG (--verbose)."""
    if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
        yield
        return
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        pypdf_log.setLevel(level)


def _open(data: bytes, path: Path) -> tuple[PdfReader, int]:
    """(reader, page count), decrypting with the empty password when that is all it takes.

    A file that fails to open (often: end cut off, no startxref) gets one more try with a
    fake end that makes pypdf rebuild the cross-reference table from the objects it finds.
    """
    try:
        return _open_once(data, path)
    except IngestError:
        raise
    except Exception as exc:
        if isinstance(exc, (MemoryError, RecursionError)):
            raise
        try:
            opened = _open_once(data + b"\nstartxref\n0\n%%EOF\n", path)
        except Exception:  # noqa: BLE001 - the first error is the one to report
            raise exc from None
        log.debug("%s: end of file missing; read after rebuilding the xref table", path)
        return opened


def _open_once(data: bytes, path: Path) -> tuple[PdfReader, int]:
    try:
        reader = PdfReader(BytesIO(data), strict=False)
    except DependencyError as exc:
        raise _unsupported(exc) from exc
    except FileNotDecryptedError as exc:
        raise EncryptedPdfError(_password_message()) from exc
    if reader.is_encrypted:
        try:
            result = reader.decrypt("")
        except (DependencyError, NotImplementedError) as exc:
            raise _unsupported(exc) from exc
        if result == PasswordType.NOT_DECRYPTED:
            raise EncryptedPdfError(_password_message())
        log.debug("%s: encrypted, opened with the empty password", path)
    return reader, len(reader.pages)


def _unsupported(exc: Exception) -> IngestError:
    """A feature pypdf needs an optional package for (AES, JBIG2, Brotli)."""
    reason = str(exc).split(". Install")[0].strip().rstrip(".")
    if "crypt" in reason.lower() or "AES" in reason or isinstance(exc, NotImplementedError):
        return EncryptedPdfError(
            f"encrypted in a way this reader cannot open ({reason}); save an unprotected copy and add it again"
        )
    return CorruptPdfError(f"uses a format this reader cannot decode ({reason}); {_RESAVE}")


def _password_message() -> str:
    return "encrypted with a password; remove the password (e.g. save an unprotected copy) and add it again"


def read_pdf(
    path: Path,
    *,
    max_pages: int = 3000,
    max_file_mb: int = 512,
    ocr: OcrSettings | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> ParsedDocument:
    """Cleaned, sectioned pages and metadata of a PDF; IngestError subclasses for bad files.

    With `ocr` (mode auto or force), pages without a usable text layer are recognised from
    their images; on_page(done, total) follows that, page by page. Without it, such a file
    is refused with a NeedsOcrError that says so.
    """
    path = Path(path)
    whole = read_file(path, max_file_mb)
    data = pdf_bytes(whole, path)
    with quiet_pypdf():
        try:
            doc = _read(path, data, max_pages, ocr, on_page)
            return dataclasses.replace(doc, sha256=hashlib.sha256(whole).hexdigest())
        except IngestError:
            raise
        except MemoryError as exc:
            raise TooLargeError("needs too much memory to read (decompression bomb?)") from exc
        except RecursionError as exc:
            raise CorruptPdfError(f"damaged PDF: objects nested too deeply; {_RESAVE}") from exc
        except Exception as exc:  # pypdf raises many types on bad input; all mean "damaged"
            raise _damaged(exc) from exc


def _reason(exc: BaseException) -> str:
    """First line of an exception message, without pypdf's memory addresses."""
    text = re.sub(r"IndirectObject\((\d+), (\d+), \d+\)", r"object \1 \2", str(exc).strip())
    return text.split("\n")[0][:120].rstrip(".") or type(exc).__name__


def _damaged(exc: Exception) -> IngestError:
    """The IngestError for an exception pypdf raised on a bad file, with a short reason."""
    reason = _reason(exc)
    if isinstance(exc, DependencyError) or "is required for" in reason:
        return _unsupported(exc)
    if isinstance(exc, LimitReachedError) and re.search(
        r"decompress|memory|declared size", reason, re.IGNORECASE
    ):
        return TooLargeError(f"too large to read safely ({reason})")
    if isinstance(exc, DeprecationError) or "is deprecated" in reason:  # abbreviated filter names
        names = ", ".join(re.findall(r"/\w+", reason)[:1]) or "a filter"
        return CorruptPdfError(f"damaged PDF: non-standard filter name {names}; {_RESAVE}")
    if not isinstance(exc, PyPdfError):  # TypeError, KeyError ... deep inside pypdf
        log.debug("pypdf failed: %r", exc)
        return CorruptPdfError(f"damaged PDF: malformed objects ({type(exc).__name__}); {_RESAVE}")
    return CorruptPdfError(f"damaged PDF: {reason}; {_RESAVE}")


# A form XObject this large with this few text operators is a drawing: a plot's thousands of
# path operators around its axis labels. Parsing it was 40% of the reading time of the 15 dev
# papers (one paper's plots: 13 of its 15 s), for words that are no sentence of the paper.
_DRAWING_BYTES = 64_000
_DRAWING_BYTES_PER_TEXT_OP = 4_000


def _skip_drawings(page: Any) -> None:
    """Keep pypdf's text extraction out of the page's drawings (form XObjects of many bytes and
    few text operators): it reads them as images. A form holding a page's text (imported pages,
    some publishers) has a text operator every few dozen bytes, and is read."""
    try:
        forms = page["/Resources"].get_object()["/XObject"].get_object()
    except (KeyError, TypeError, AttributeError):
        return
    for name in list(forms.keys()):
        try:
            form = forms[name].get_object()
            if form.get("/Subtype") != "/Form":
                continue
            data = form.get_data()
        except Exception:  # noqa: BLE001 - a damaged form is left to extract_text's own handling
            continue
        text_ops = data.count(b"Tj") + data.count(b"TJ") + data.count(b"'")
        if len(data) > _DRAWING_BYTES and text_ops * _DRAWING_BYTES_PER_TEXT_OP < len(data):
            forms[NameObject(name)] = DictionaryObject({NameObject("/Subtype"): NameObject("/Image")})


def _read(
    path: Path, data: bytes, max_pages: int, ocr: OcrSettings | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> ParsedDocument:
    try:
        reader, n_pages = _open(data, path)
    except IngestError:
        raise
    except Exception as exc:
        if not data.startswith(b"%PDF-"):
            raise CorruptPdfError(
                f"damaged PDF: no %PDF header and unreadable ({_reason(exc)}); {_RESAVE}"
            ) from exc
        raise
    if n_pages == 0:
        raise EmptyPdfError("has no pages")
    if n_pages > max_pages:
        raise TooLargeError(f"too large: {n_pages} pages (limit {max_pages})")

    warnings_out: list[str] = []
    raw: list[str] = []
    failures: list[Exception] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            _skip_drawings(page)
            raw.append(page.extract_text() or "")
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - one bad page should not lose the paper
            log.debug("%s: page %d: %s", path, number, exc)
            failures.append(exc)
            raw.append("")
    if failures:
        if len(failures) == n_pages:
            raise _damaged(failures[0])
        warnings_out.append(f"text of {len(failures)} of {n_pages} pages could not be read")

    texts = clean_pages(raw)
    recognised: set[int] = set()
    readability = Readability()
    if ocr is not None and ocr.mode != "off":
        recognised = recognise_pages(data, raw, texts, ocr, MIN_CHARS_PER_PAGE, on_page,
                                     readability)
        if recognised:
            texts = clean_pages(raw)
    unreadable = bool(recognised) and readability.unreadable
    total = sum(len(t) for t in texts)
    if total < MIN_CHARS_PER_PAGE * n_pages:
        if ocr is not None and ocr.mode != "off":
            raise NeedsOcrError(f"OCR found little or no text on its {n_pages} page(s) (pictures only?)")
        raise NeedsOcrError(_OCR)
    if garbled("\n".join(texts)):
        if not recognised:
            raise NeedsOcrError(_GARBLED)
        if not unreadable:
            warnings_out.append("the recognised text looks garbled (handwriting or a poor scan?)")
    empty = sum(1 for t in texts if len(t) < MIN_CHARS_PER_PAGE)
    if empty:
        warnings_out.append(f"{empty} of {n_pages} pages have no text (images only?)")
    if recognised:
        warnings_out.append(f"text of {len(recognised)} of {n_pages} pages recognised by OCR")

    sections = detect_sections(texts)
    pages = tuple(
        Page(number=i, text=text, sections=secs, ocr=i - 1 in recognised)
        for i, (text, secs) in enumerate(zip(texts, sections, strict=False), start=1)
    )
    info: dict[str, str] = {}
    hint = title_from_layout(data)  # None when pdfium cannot read page 1: the lines still can
    try:
        for key, value in (reader.metadata or {}).items():
            if isinstance(value, str):
                info[key.lstrip("/")] = scrub(value)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - metadata is optional; the text is what matters
        log.debug("%s: metadata: %s", path, exc)
    # Unstripped first page: ICML-style papers repeat the title as a running header. OCR text
    # that looks unreadable gives no title ("AREF TRE HUMAAI"): /Info's or the file's name.
    first = "" if unreadable and 0 in recognised else clean_text(raw[0])
    meta = extract_meta(path, first, info, title_hint=hint)  # the hint is from the text layer
    # the file name is the last-resort title, and a non-UTF-8 name holds surrogate escapes
    meta = dataclasses.replace(meta, title=scrub(meta.title),
                               authors=tuple(scrub(a) for a in meta.authors))
    log.debug("%s: %d pages, %d chars, title %r", path, n_pages, total, meta.title)
    language = ocr.language if ocr is not None and recognised else None
    return ParsedDocument(path=path, pages=pages, meta=meta, warnings=tuple(warnings_out),
                          ocr_language=language,
                          notice=readability.message(language) if language and unreadable else "")
