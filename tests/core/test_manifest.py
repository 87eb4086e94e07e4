"""A vector index manifest that is valid JSON but wrong inside: every command gives one line
naming the field, `doctor` rebuilds the index from SQLite, and a snapshot name pointing out
of the library is never opened. A damaged journal record is re-embedded, and said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import Library
from core.vectors import journal as vlog

BAD_FIELDS = [
    ("papers misspelt", lambda m: m.update(paperz=m.pop("papers")), "field 'papers' is missing"),
    ("deleted a number", lambda m: m.update(deleted=5), "field 'deleted' is 5"),
    ("snapshot outside", lambda m: m.update(snapshot="../../../etc/passwd"),
     "field 'snapshot' is \"../../../etc/passwd\""),
    ("dim a string", lambda m: m.update(dim="384"), "field 'dim' is \"384\""),
    ("generation negative", lambda m: m.update(generation=-1), "field 'generation' is -1"),
    ("papers ranges wrong", lambda m: m.update(papers={"x": [1, "2"]}), "field 'papers'"),
]


@pytest.fixture
def damaged(settings, fake_embedder, sample_pdfs, request):
    """A library of the sample papers whose manifest then gets a wrong field."""
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs))
        lib.index.get().checkpoint()
        manifest = vlog.manifest_path(lib.index.path)
    data = json.loads(manifest.read_text())
    request.param[1](data)
    manifest.write_text(json.dumps(data))
    return request.param[2]


@pytest.mark.parametrize("damaged", BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS], indirect=True)
def test_a_wrong_field_gives_one_line_and_doctor_rebuilds(damaged, run, settings, fake_embedder,
                                                          monkeypatch, tmp_path):
    opened: list[Path] = []
    real_crc = vlog.file_crc32

    def crc(path: Path) -> tuple[int, int]:  # every snapshot checked is inside the library
        opened.append(Path(path))
        return real_crc(path)

    monkeypatch.setattr(vlog, "file_crc32", crc)
    code, out, err = run("list")
    assert code == 0 and len(out.strip().splitlines()) >= 2  # the papers are still listed
    assert err.count("vector index damaged") == 1 and damaged in err and "Traceback" not in err
    for argv in (["ask", "camera traps", "--no-llm"], ["add", str(tmp_path / "none.pdf")]):
        code, out, err = run(*argv)
        assert code == 1 and damaged in err and "lantern doctor" in err and "Traceback" not in err
    code, out, err = run("doctor")
    assert code == 0 and "problem:  vector index damaged" in out and damaged in out
    assert "rebuilt" in out and "consistent" in out
    code, out, err = run("ask", "camera traps", "--no-llm")
    assert code == 0 and err == "" and "Evidence" in out
    assert all(p.resolve().is_relative_to(settings.library.resolve()) for p in opened)


def test_a_snapshot_name_outside_the_library_is_refused_before_it_is_read(tmp_path):
    base = tmp_path / "vectors-k.hnsw"
    manifest = {"format": 1, "dim": 4, "generation": 2, "snapshot": "../outside.hnsw",
                "size": 0, "crc32": 0, "deleted": [], "papers": {}}
    assert "not this index's snapshot" in vlog.check_manifest(manifest, base)
    manifest["snapshot"] = "vectors-k.g1.hnsw"  # this index's, but of another generation
    assert "generation 2" in vlog.check_manifest(manifest, base)
    manifest["snapshot"] = "vectors-k.g2.hnsw"
    assert vlog.check_manifest(manifest, base) is None
    manifest["crc32"] = True  # JSON true is not a number
    assert "field 'crc32' is true" in vlog.check_manifest(manifest, base)


def test_a_damaged_first_journal_record_is_re_embedded_and_said(settings, fake_embedder,
                                                               sample_pdfs, run):
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs))
        generation = lib.index.get().generation
        journal = vlog.journal_path(lib.index.path, generation)
    data = bytearray(journal.read_bytes())
    data[len(vlog.journal_header(0, 0)) + 20] ^= 0xFF  # inside the first record: CRC fails
    journal.write_bytes(bytes(data))
    code, out, err = run("ask", "camera traps", "--no-llm")
    assert code == 0 and "Evidence" in out
    # a question never waits for embeddings (issue 26): it says so, and `lantern index` embeds
    assert "3 paper(s) searched by keyword only" in err and "`lantern index`" in err
    code, _, err = run("index")
    assert code == 0 and "every paper is indexed" in err
    code, out, err = run("ask", "camera traps", "--no-llm")
    assert code == 0 and "keyword" not in err  # nothing is missing any more
