"""OCR: pages per second, character accuracy on generated scans, scanned vs text page cost.

    .venv/bin/python bench/ocr.py               # generated pages; real scans if ../shared exists
    .venv/bin/python bench/ocr.py --rapidocr    # also RapidOCR, when rapidocr-onnxruntime is installed

Generated pages: the ecology test paper (known text), rasterised to image-only PDFs at 150
and 300 dpi, clean and with speckle noise, blur and a few degrees of skew (tests.scangen).
Character accuracy: the share of the reference's characters that the recognised text has,
in order (difflib matching blocks over whitespace-normalised text).
"""

from __future__ import annotations

import argparse
import difflib
import resource
import tempfile
import time
from pathlib import Path

from common import ROOT

from core.ingest.ocr import render
from core.ingest.pdf import read_pdf
from core.settings import OcrSettings
from tests import pdfs
from tests.scangen import write_scan

CONDITIONS = [  # (dpi, noise, skew degrees, blur)
    (150, 0.0, 0.0, 0.0),
    (300, 0.0, 0.0, 0.0),
    (150, 0.02, 2.0, 0.6),
    (300, 0.02, 2.0, 0.6),
    (200, 0.05, 3.0, 0.6),
]
ROBUSTNESS = ROOT.parent / "shared" / "evalset" / "robustness"


def accuracy(reference: str, recognised: str) -> float:
    ref, hyp = " ".join(reference.split()), " ".join(recognised.split())
    matcher = difflib.SequenceMatcher(None, ref, hyp, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) / max(1, len(ref))


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the tesseract runs): on a shared
    machine wall time mostly measures the neighbours."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_read(path: Path, ocr: OcrSettings | None) -> tuple[float, float, list[str]]:
    """(CPU seconds, wall seconds, page texts)."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    doc = read_pdf(path, ocr=ocr)
    return cpu_seconds() - cpu, time.perf_counter() - wall, [p.text for p in doc.pages]


def tesseract_table(folder: Path) -> None:
    source = pdfs.ecology_paper(folder, name="source.pdf", ligatures=False, hyphenate=False)
    text_s, _, reference = timed_read(source, None)
    n = len(reference)
    print(f"text layer: {n} pages in {text_s:.2f} CPU s ({n / text_s:.1f} pages/s)")
    print("| scan dpi | noise | skew | pages/CPU-s | pages/s (wall) | char accuracy | CPU vs text page |")
    print("|---|---|---|---|---|---|---|")
    for dpi, noise, skew, blur in CONDITIONS:
        scan = write_scan(source, folder / f"scan-{dpi}-{noise}.pdf", dpi=dpi, noise=noise,
                          skew_deg=skew, blur=blur)
        seconds, wall, texts = timed_read(scan, OcrSettings())
        acc = accuracy("\n".join(reference), "\n".join(texts))
        print(f"| {dpi} | {noise:.0%} | {skew:g}\u00b0 | {n / seconds:.2f} | {n / wall:.2f} | "
              f"{acc:.1%} | {seconds / text_s:.0f}x |", flush=True)


def rapidocr_table(folder: Path) -> None:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        print("rapidocr-onnxruntime is not installed: skipping RapidOCR")
        return
    import numpy as np
    import pypdfium2 as pdfium

    engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    source = folder / "source.pdf"
    _, _, reference = timed_read(source, None)
    print("RapidOCR (PP-OCRv4 ch/en models shipped in the wheel), rendered at 200 dpi:")
    print("| scan dpi | noise | pages/CPU-s | char accuracy | accuracy ignoring spaces |")
    print("|---|---|---|---|---|")
    for dpi, noise, _skew, _blur in CONDITIONS:
        pdf = pdfium.PdfDocument(str(folder / f"scan-{dpi}-{noise}.pdf"))
        start, texts = cpu_seconds(), []
        for i in range(len(pdf)):
            result, _ = engine(np.array(render(pdf, i, 200).convert("RGB")))
            texts.append("\n".join(r[1] for r in result or []))
        seconds = cpu_seconds() - start
        ref, hyp = "\n".join(reference), "\n".join(texts)
        print(f"| {dpi} | {noise:.0%} | {len(pdf) / seconds:.2f} | {accuracy(ref, hyp):.1%} | "
              f"{accuracy(''.join(ref.split()), ''.join(hyp.split())):.1%} |", flush=True)


def real_scans() -> None:
    folders = ["image_only_scanned", "scanned_with_bad_ocr_layer"]
    if not ROBUSTNESS.exists():
        print(f"{ROBUSTNESS} not found: skipping the real scans")
        return
    print("Real scans (Tesseract, auto mode):")
    for name in folders:
        for path in sorted((ROBUSTNESS / name).glob("*.pdf")):
            start = cpu_seconds()
            try:
                doc = read_pdf(path, ocr=OcrSettings())
            except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
                print(f"  {name}/{path.name}: FAILED {exc}")
                continue
            seconds = cpu_seconds() - start
            ocr = sum(p.ocr for p in doc.pages)
            first = " ".join(doc.pages[0].text.split())[:70]
            print(f"  {name}/{path.name}: {len(doc.pages)} pages, {ocr} by OCR, "
                  f"{seconds / len(doc.pages):.2f} CPU s/page: {first!r}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rapidocr", action="store_true", help="also measure RapidOCR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tesseract_table(folder)
        if args.rapidocr:
            rapidocr_table(folder)
    real_scans()


if __name__ == "__main__":
    main()
