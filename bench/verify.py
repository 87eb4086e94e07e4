"""`lantern verify` and annotated PDFs on a real table: the 11 development papers of
qa/cq_dev.jsonl x builtin:dl-methods (231 cells, --no-llm), exported as JSON, Markdown and
CSV; each verified from the library and from a folder of the PDFs; then one quote and one
PDF altered (each must fail, naming the cell); then the annotated copies.

    .venv/bin/python bench/verify.py [--library DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from common import peak_rss_mb, require_evalset

from core import (
    Library,
    Settings,
    annotate_pdfs,
    build_provenance,
    load_question_set,
    table_marks,
    verify_table,
    write_table,
)


def timed(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def qtpdf_opens(files: list[Path]) -> int:
    """How many of the files QtPdf (the desktop viewer) loads without an error."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtPdf import QPdfDocument

    _app = QGuiApplication.instance() or QGuiApplication([])
    ok = 0
    for f in files:
        doc = QPdfDocument(None)
        ok += doc.load(str(f)) == QPdfDocument.Error.None_ and doc.pageCount() > 0
        doc.close()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", type=Path, help="reuse this library folder")
    args = parser.parse_args()
    evalset = require_evalset()
    names = sorted({json.loads(line)["pdf"] for line in (evalset / "qa" / "cq_dev.jsonl").open()})
    work = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    papers = work / "papers"
    papers.mkdir()
    for name in names:
        shutil.copy(evalset / "papers" / name, papers / name)
    settings = Settings.load(library=args.library or work / "library")
    qset = load_question_set("builtin:dl-methods")
    with Library(settings) as lib:
        list(lib.add([papers]))
        ids = [p.doc_id for p in lib.papers() if p.path.parent == papers.resolve()
               or p.path.name in names]
        list(lib.extract(qset, ids, use_llm=False))
        rows = lib.extract_table(qset, ids, use_llm=False)
        record, prov_s = timed(build_provenance, lib, ids, use_llm=False, qset=qset)
        print(f"{len(rows)} papers x {len(qset.questions)} questions; provenance in {prov_s:.2f} s")
        tables = {}
        for fmt in ("json", "md", "csv"):
            tables[fmt] = write_table(rows, qset, work / f"table.{fmt}", fmt, provenance=record)
        for fmt, path in tables.items():
            report, seconds = timed(verify_table, path, library=lib)
            print(f"verify {fmt:4} (library):    {report.summary()} in {seconds:.2f} s")
            for failure in report.failures:
                print(f"    {failure.line()}")
        report, seconds = timed(verify_table, tables["json"], papers_dir=papers)
        print(f"verify json (--papers DIR): {report.summary()} in {seconds:.2f} s "
              "(hashing the folder included)")

        data = json.loads(tables["json"].read_text(encoding="utf-8"))
        cell = next(c for c in data["cells"] if c["status"] == "reported")
        cell["quote"] = cell["quote"].replace(" the ", " a ", 1) + " (edited)"
        altered = work / "altered.json"
        altered.write_text(json.dumps(data), encoding="utf-8")
        report = verify_table(altered, library=lib)
        print(f"altered quote: {report.summary()}; names {[f.line()[:90] for f in report.failures]}")
        reviewer = work / "reviewer"  # a reviewer's copies, one of them changed
        shutil.copytree(papers, reviewer)
        victim = reviewer / names[0]
        victim.write_bytes(victim.read_bytes() + b"\n%altered\n")
        report = verify_table(tables["json"], papers_dir=reviewer)
        named = {f.claim.doc_id for f in report.failures}
        print(f"altered PDF {names[0]}: {report.summary()}; failing cells name {sorted(named)}")

        out = work / "annotated"
        pdfs = {r.paper.doc_id: r.paper.path for r in rows}
        marks = table_marks(rows, qset)
        result, seconds = timed(annotate_pdfs, marks, pdfs, out)
        print(f"annotate: {result.summary()} for {len(marks)} reported cells in {seconds:.1f} s")
        from pypdf import PdfReader

        found: dict[tuple[str, int], list[str]] = {}  # (file, page) -> notes of highlights
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for f in result.files:
                for number, page in enumerate(PdfReader(f).pages, start=1):
                    annots = page["/Annots"].get_object() if "/Annots" in page else []
                    found[(f.name, number)] = [a.get_object()["/Contents"] for a in annots
                                               if a.get_object()["/Subtype"] == "/Highlight"]
        on_page = sum(m.note in found.get((f"{pdfs[m.doc_id].stem} (annotated).pdf", m.page), [])
                      for m in marks)
        print(f"pypdf reads back {sum(map(len, found.values()))} highlights, {on_page} of "
              f"{len(marks)} cells' notes on their page; {len(caught)} warnings")
        print(f"QtPdf opens {qtpdf_opens(result.files)} of {len(result.files)} annotated PDFs")
    print(f"peak memory {peak_rss_mb():.0f} MiB; files in {work}")


if __name__ == "__main__":
    main()
