"""Extraction over the sample papers with the real small models (MiniLM, SmolLM2-135M)."""

from __future__ import annotations

import csv
import dataclasses

import pytest

from core import CellDone
from core.extract import load_question_set, write_table

pytestmark = pytest.mark.e2e


def paper_id(lib, word: str) -> str:
    return next(p.doc_id for p in lib.papers() if word in p.title)


def run(lib, qset, **kw) -> dict[tuple[str, str], CellDone]:
    return {(e.doc_id, e.question_id): e for e in lib.extract(qset, force=True, **kw)
            if isinstance(e, CellDone)}


def test_no_llm_reports_what_papers_state_and_only_that(sample_library, tmp_path):
    lib = sample_library
    qset = load_question_set("builtin:dl-methods")
    cells = run(lib, qset, use_llm=False)
    assert len(cells) == 3 * len(qset.questions)
    cam, bird, grass = (paper_id(lib, w) for w in ("Camera-Trap", "Birds", "Grassland"))

    def cell(doc_id, q):
        return cells[(doc_id, q)].cell

    for e in cells.values():
        assert e.cell.status in {"reported", "not reported"}
        if e.cell.reported:
            assert e.cell.quote in lib.page_text(e.doc_id, e.cell.page)
    hw = cell(cam, "hardware")  # the reference list's "8 NVIDIA Tesla K80 GPUs" is a trap
    assert hw.reported and "RTX 3090" in hw.quote and "K80" not in hw.quote
    assert "Adam" in cell(cam, "optimizer").quote
    assert "70%" in cell(cam, "split").quote
    assert "horizontal flips" in cell(cam, "augmentation").quote
    assert "V100" in cell(bird, "hardware").quote
    for q in ("hardware", "optimizer", "augmentation", "framework", "batch-size", "code"):
        assert not cell(grass, q).reported, (q, cell(grass, q))  # no deep learning there

    rows = lib.extract_table(qset, use_llm=False)
    out = write_table(rows, qset, tmp_path / "dl.csv")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        table = {r["doc_id"]: r for r in csv.DictReader(fh)}
    assert table[cam]["Hardware evidence"].startswith(f"p. {hw.page}: ")
    assert "RTX 3090" in table[cam]["Hardware evidence"]
    assert table[grass]["Hardware"] == "not reported"


def test_llm_cells_are_grounded(sample_library):
    lib = sample_library
    full = load_question_set("builtin:dl-methods")
    qset = dataclasses.replace(full, questions=tuple(
        q for q in full.questions if q.id in {"hardware", "optimizer"}))
    cam, grass = paper_id(lib, "Camera-Trap"), paper_id(lib, "Grassland")
    cells = run(lib, qset, papers=[cam, grass])
    assert len(cells) == 4
    for e in cells.values():  # whatever the tiny model says, every quote is real
        c = e.cell
        assert c.status in {"reported", "not reported"}
        assert c.model and c.seconds > 0
        if c.reported:
            assert c.quote and c.quote in lib.page_text(e.doc_id, c.page) and c.supported
        else:
            assert c.quote == "" and c.page is None
    grass_hw = cells[(grass, "hardware")].cell  # the grassland paper names no GPU to quote
    assert "GPU" not in grass_hw.answer + grass_hw.quote


def test_llm_cells_come_out_the_same_when_run_again(sample_library):
    """The provenance records the chat model's seed: the same model, settings and papers give
    the same cells on a re-run (issue 22), not only the same quotes."""
    lib = sample_library
    full = load_question_set("builtin:dl-methods")
    qset = dataclasses.replace(full, questions=tuple(
        q for q in full.questions if q.id in {"hardware", "optimizer", "learning-rate"}))
    cam = paper_id(lib, "Camera-Trap")

    def cells() -> dict[str, tuple]:
        return {q: (e.cell.status, e.cell.answer, e.cell.quote, e.cell.page)
                for (_, q), e in run(lib, qset, papers=[cam]).items()}

    first = cells()
    assert len(first) == 3 and any(status == "reported" for status, *_ in first.values())
    assert cells() == first
