"""What `add` says: nothing about resuming before it holds the write lock, then what it
resumes; each file's line with the title that is stored."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from core import Library


def test_no_resuming_line_before_the_lock_is_taken(settings, fake_embedder, sample_pdfs,
                                                    run, tmp_path):
    with Library(settings, embedder=fake_embedder) as lib:
        lib._parts.store.queue([sample_pdfs[1]])  # as an interrupted run leaves it
    holder = tmp_path / "hold.py"
    holder.write_text(textwrap.dedent(f"""
        import sys, filelock
        lock = filelock.FileLock({str(settings.library / 'write.lock')!r})
        lock.acquire()
        print('locked', flush=True)
        sys.stdin.readline()
    """))
    proc = subprocess.Popen([sys.executable, str(holder)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        code, out, err = run("add", str(sample_pdfs[0]))
        assert code == 1 and "another Lantern process" in err and "resuming 1 file" not in err
        assert len(err.strip().splitlines()) == 1
    finally:
        proc.communicate("\n", timeout=10)
    code, out, err = run("add", str(sample_pdfs[0]))
    assert code == 0 and "resuming 1 file(s) of an interrupted run" in err
    assert out.count("added") == 2


def test_the_add_line_shows_the_stored_title(run, sample_pdfs):
    code, out, _ = run("add", "--json", *map(str, sample_pdfs))
    lines = [json.loads(line) for line in out.splitlines()]
    code, listed, _ = run("list", "--json")
    stored = {p["doc_id"]: p["title"] for p in json.loads(listed)}
    assert {line["doc_id"]: line["title"] for line in lines} == stored
