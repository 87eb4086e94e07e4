"""Fixture PDFs for the ingest tests, generated with core.pdfgen (no files from outside)."""

from __future__ import annotations

import zlib
from io import BytesIO
from pathlib import Path

from core.pdfgen import PdfBuilder, write_empty_pdf, write_image_only_pdf, write_paper

ECOLOGY_TITLE = "Deep Learning for the Identification of Freshwater Fish Species in Field Surveys"
ECOLOGY_AUTHORS = ["Maria Keller", "Tomas Lindqvist", "Aiko Tanaka"]
RUNNING_HEADER = "Journal of Freshwater Ecology 12 (2021) 101-118"

# The facts a question-answering test can ask about, each stated once in the Methods.
ECOLOGY_FACTS = {
    "gpu": "NVIDIA RTX 3090 GPU",
    "optimizer": "Adam optimizer",
    "learning_rate": "0.001",
    "split": "70/15/15",
    "augmentation": "random flips and rotations",
}

_FILLER = (
    "Freshwater ecosystems are among the most threatened habitats on the planet, and monitoring "
    "their fish communities is essential for conservation planning. Traditional field surveys "
    "rely on experts who identify every specimen by eye, which is slow, expensive and difficult "
    "to scale across river networks. Automated classification of underwater imagery promises to "
    "reduce this effort, e.g. for long-term monitoring programmes, and et al. style comparisons "
    "across studies remain difficult because workflows differ considerably."
)


def ecology_sections() -> list[tuple[str, list[str]]]:
    """Sections of the 'deep learning in ecology' paper, with the facts in 3 Methods."""
    return [
        (
            "Abstract",
            [
                (
                    "We present a convolutional neural network that identifies freshwater fish species "
                    "from underwater images collected during field surveys. The classifier reaches an "
                    "accuracy of 94.2% on a held-out test set and reduces the expert effort needed for "
                    "routine monitoring by an order of magnitude."
                ),
            ],
        ),
        ("1 Introduction", [_FILLER, _FILLER.replace("Freshwater", "Riverine")]),
        (
            "2 Related Work",
            [
                (
                    "Earlier studies used hand-crafted features such as colour histograms and shape "
                    "descriptors (Smith et al. 2015). Villon et al. (2018) showed that state-of-the-art "
                    "convolutional networks outperform these approaches in coral reef environments, "
                    "see Fig. 3 of their paper for the comparison."
                ),
            ],
        ),
        (
            "3 Methods",
            [
                (
                    "All models were trained on a single NVIDIA RTX 3090 GPU with 24 GB of memory. "
                    "We used the Adam optimizer with a learning rate of 0.001 and a batch size of 32 "
                    "for 50 epochs."
                ),
                (
                    "The 12,480 annotated images were divided with a 70/15/15 train/validation/test split, "
                    "stratified by species so that rare taxa appear in every subset."
                ),
                (
                    "To improve generalisation we applied random flips and rotations as data augmentation, "
                    "i.e. every training image was flipped horizontally with probability 0.5 and rotated "
                    "by up to 15 degrees."
                ),
            ],
        ),
        (
            "4 Results",
            [
                (
                    "The final classifier reached a top-1 accuracy of 94.2% and a macro F1 score of 0.91 "
                    "on the test set. Misclassifications were concentrated in two closely related "
                    "cyprinid species whose juveniles are difficult to distinguish even for experts."
                ),
                _FILLER,
            ],
        ),
        (
            "5 Discussion",
            [_FILLER.replace("monitoring", "assessment"), _FILLER, _FILLER, _FILLER, _FILLER],
        ),
        (
            "6 Conclusion",
            [
                (
                    "Deep learning makes routine identification of freshwater fish practical for field "
                    "ecologists, provided that annotated images of rare species are available."
                ),
            ],
        ),
        ("Acknowledgements", ["We thank the regional fisheries agency for access to its archive."]),
        (
            "References",
            [
                (
                    "Smith, J., Brown, K. and Lee, P. (2015). Colour features for fish classification. "
                    "Ecological Informatics 30, 1-10."
                ),
                (
                    "Villon, S. et al. (2018). A deep learning method trained on an NVIDIA Tesla V100 "
                    "with SGD optimizer and momentum 0.9. Ecological Informatics 48, 238-244."
                ),
                (
                    "Zhao, L. and Chen, Y. (2019). Training on a GTX 1080 Ti with RMSprop and a learning "
                    "rate of 0.01. Methods in Ecology and Evolution 10, 1-12."
                ),
            ],
        ),
    ]


def ecology_paper(folder: Path, name: str = "ecology.pdf", **options: object) -> Path:
    """The ecology paper as a scientific PDF: ligatures, hyphenation, running header, year."""
    settings: dict[str, object] = {
        "ligatures": True,
        "hyphenate": True,
        "running_header": RUNNING_HEADER,
        "creation_year": 2021,
        "info_title": "Microsoft Word - fish_paper_final.docx",
    }
    settings.update(options)
    return write_paper(
        folder / name,
        title=ECOLOGY_TITLE,
        authors=ECOLOGY_AUTHORS,
        sections=ecology_sections(),
        **settings,  # type: ignore[arg-type]
    )


def two_column_paper(folder: Path) -> Path:
    """A two-column paper whose columns hold distinct, ordered marker sentences."""
    left = [f"Left column sentence number {i} talks about river sampling." for i in range(1, 40)]
    return write_paper(
        folder / "two_columns.pdf",
        title="A Two Column Study of River Sampling Designs",
        authors=["Ana Silva"],
        sections=[("1 Introduction", [" ".join(left)]), ("2 Methods", [_FILLER])],
        two_columns=True,
    )


def encrypted_pdf(folder: Path, password: str = "secret") -> Path:
    """The ecology paper encrypted with RC4 (pure-python in pypdf); '' opens without asking."""
    from pypdf import PdfReader, PdfWriter

    source = ecology_paper(folder, name="plain_for_encryption.pdf")
    writer = PdfWriter()
    writer.append(PdfReader(source))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    path = folder / ("encrypted.pdf" if password else "encrypted_empty_password.pdf")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def text_file_renamed(folder: Path) -> Path:
    path = folder / "notes.pdf"
    path.write_text("potato salad recipe\nboil the potatoes\n", encoding="utf-8")
    return path


def zip_renamed(folder: Path) -> Path:
    import zipfile

    path = folder / "report.pdf"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    return path


def truncated_pdf(folder: Path) -> Path:
    """A header and a few object bytes, then nothing: no pages can be found."""
    data = ecology_paper(folder, name="whole.pdf").read_bytes()
    path = folder / "truncated.pdf"
    path.write_bytes(data[:200])
    return path


def garbage_after_header(folder: Path) -> Path:
    path = folder / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return path


def junk_before_header(folder: Path) -> Path:
    """A few junk bytes before %PDF- (some mail gateways and web servers add them)."""
    data = ecology_paper(folder, name="clean.pdf").read_bytes()
    path = folder / "junk_prefix.pdf"
    path.write_bytes(b"Some junk before the header\r\n" + data)
    return path


def empty_pdf(folder: Path) -> Path:
    return write_empty_pdf(folder / "empty.pdf")


def image_only_pdf(folder: Path) -> Path:
    return write_image_only_pdf(folder / "scan.pdf", pages=2)


def bomb_pdf(folder: Path, megabytes: int = 300) -> Path:
    """One page whose content stream inflates to `megabytes` of spaces (~0.3 MB on disk)."""
    # One megabyte of spaces deflated once and repeated (compressing 300 MB took seconds): a
    # full flush ends each copy on a byte boundary with an empty window, so the copies chain.
    block = b" " * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the zlib frame is ours
    one = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(block, adler)
    stream = b"\x78\xda" + one * megabytes + last + adler.to_bytes(4, "big")
    pdf = PdfBuilder()
    pdf.add_page()
    pdf.text(72, 700, "A page with a very large content stream.")
    data = pdf.to_bytes()
    # Swap the page's content stream for the bomb (the one FlateDecode stream in the file).
    head, rest = data.split(b"stream\n", 1)
    _, tail = rest.split(b"\nendstream", 1)
    head = head.rsplit(b"<< /Length", 1)[0] + b"<< /Length %d /Filter /FlateDecode >>\n" % len(
        stream
    )
    out = BytesIO()
    out.write(head + b"stream\n" + stream + b"\nendstream" + tail)
    path = folder / "bomb.pdf"
    path.write_bytes(out.getvalue())  # xref offsets are now wrong: pypdf rebuilds them
    return path


def tex_greek_pdf(folder: Path, name: str = "greek.pdf") -> Path:
    """A page set in a font whose ToUnicode map is the one many TeX-made PDFs carry for
    LaTeX's math italic: /beta -> U+03B2, but /epsilon1 (the lunate epsilon) -> U+01EB."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /TeX-CMMI def /CMapType 2 def\n"
        b"1 begincodespacerange <00> <ff> endcodespacerange\n"
        b"2 beginbfchar\n<0c> <03b2>\n<0f> <01eb>\nendbfchar\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    content = (
        b"BT /F1 11 Tf 72 700 Td (Training used Adam with \x0c2 = 0.98 and \x0f = 1e-6 for the "
        b"optimizer.) Tj 0 -16 Td (The noise term \x0fi is drawn per sample.) Tj ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [12 /beta 15 /epsilon1] >> "
        b"/ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    path = folder / name
    path.write_bytes(_raw_pdf(objects))
    return path


# ---------------------------------------------------------------- scans (need pypdfium2 + Pillow)
SCAN_ONLY_SENTENCE = "The otters were counted at dawn on the Ruhr tributaries in 2017."


def scanned_paper(folder: Path, name: str = "scanned.pdf", *, dpi: int = 200, noise: float = 0.01,
                  skew_deg: float = 1.5) -> Path:
    """The ecology paper as an image-only scan: rendered, speckled and turned a little."""
    from tests.scangen import write_scan

    source = ecology_paper(folder, name=f"source-{name}", ligatures=False, hyphenate=False)
    return write_scan(source, folder / name, dpi=dpi, noise=noise, skew_deg=skew_deg)


def unreadable_scan(folder: Path, name: str = "hanzi.pdf", *, seed: int = 0) -> Path:
    """A one-page image-only "scan" in a script the English OCR model has no letters for:
    rows of square glyphs of random strokes, like a Chinese page. English OCR reads it as
    confident-looking capitals ("SATE FA HWS") that are not words."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    page = Image.new("L", (1240, 1000), 255)
    draw = ImageDraw.Draw(page)
    size = 40
    for y in range(80, 920, 64):
        for x in range(80, 1160, 46):
            for _ in range(rng.randint(4, 8)):
                a, b = rng.randint(0, size), rng.randint(0, size)
                kind = rng.random()
                if kind < 0.4:
                    draw.line([(x + 4, y + a), (x + size - 4, y + a)], fill=0, width=4)
                elif kind < 0.8:
                    draw.line([(x + a, y + 4), (x + a, y + size - 4)], fill=0, width=4)
                else:
                    draw.line([(x + a, y), (x + b, y + size)], fill=0, width=4)
    out = folder / name
    page.save(out, "PDF", resolution=150.0)
    return out


def mixed_paper(folder: Path, name: str = "mixed.pdf") -> Path:
    """The ecology paper as text pages, plus a last page that is only a scanned image holding
    SCAN_ONLY_SENTENCE (an appendix pasted in as a picture)."""
    from pypdf import PdfWriter

    from tests.scangen import write_scan

    text = ecology_paper(folder, name=f"text-{name}")
    appendix = write_paper(folder / f"appendix-{name}", title="Appendix A Field notes",
                           sections=[("Field notes", [SCAN_ONLY_SENTENCE])], page_numbers=False)
    scan = write_scan(appendix, folder / f"appendix-scan-{name}", dpi=200, noise=0.005)
    writer = PdfWriter()
    writer.append(str(text))
    writer.append(str(scan))
    out = folder / name
    with open(out, "wb") as fh:
        writer.write(fh)
    return out


def _raw_pdf(objects: list[bytes]) -> bytes:
    """Objects 1..n with a correct xref table; object 1 is the catalog."""
    from core.pdfgen import serialize

    return serialize(objects)


def lone_surrogate_pdf(folder: Path, name: str = "surrogate.pdf") -> Path:
    """A page whose ToUnicode map sends 'X' to U+D800, a lone surrogate: pypdf decodes maps
    with "surrogatepass", so its text holds a character no UTF-8 encoder accepts."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"1 beginbfchar <58> <D800> endbfchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end")
    lines = b"\n".join(
        b"BT /F1 11 Tf 72 %d Td (Broken glyph map here: X, then ordinary words about grassland"
        b" plots.) Tj ET" % (720 - 16 * i) for i in range(30))

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)

    path = folder / name
    path.write_bytes(_raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding"
        b" /ToUnicode 6 0 R >>",
        stream(lines),
        stream(cmap),
    ]))
    return path


def figure_paper(folder: Path, name: str = "figure.pdf") -> Path:
    """A page of sentences, a plot (a form XObject of 80 KB of paths around two axis labels)
    and a form that holds text of its own (as imported pages do)."""
    lines = b"\n".join(
        b"BT /F1 11 Tf 72 %d Td (Beaver dams raised the water table along the river, line %d.)"
        b" Tj ET" % (720 - 16 * i, i) for i in range(20))
    plot = b"".join(b"%d %d m %d %d l S\n" % (i % 97, i % 89, i % 83, i % 79) for i in range(6000))
    plot += b"BT /F1 8 Tf 100 100 Td (Axis label seventeen) Tj ET\nBT /F1 8 Tf 100 90 Td (0.25) Tj ET"
    imported = b"\n".join(
        b"BT /F1 9 Tf 72 %d Td (The imported page states the sampling lasted %d days.) Tj ET"
        % (400 - 10 * (i % 30), i) for i in range(1500))

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)

    form = b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
    path = folder / name
    path.write_bytes(_raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R"
        b" >> /XObject << /Plot 6 0 R /Imported 7 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        stream(lines + b"\n/Plot Do\n/Imported Do"),
        stream(plot, form),
        stream(imported, form),
    ]))
    return path
