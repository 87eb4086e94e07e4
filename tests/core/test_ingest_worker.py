"""ParserProcess: results and errors cross the process boundary; time limit; restarts."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from core.errors import EncryptedPdfError, ParseTimeoutError, TooLargeError
from core.ingest.worker import ParserProcess
from core.settings import IngestSettings
from tests import pdfs


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker")


@pytest.fixture(scope="module")
def parser():
    with ParserProcess(IngestSettings(timeout_s=30, memory_limit_mb=1024)) as process:
        yield process


def test_parse_returns_the_document_and_reuses_the_child(parser, folder):
    path = pdfs.ecology_paper(folder)
    doc = parser.parse(path)
    assert doc.path == path and doc.meta.title == pdfs.ECOLOGY_TITLE
    pid = parser._process.pid
    parser.parse(path)
    assert parser._process.pid == pid


def test_errors_keep_their_class_and_message(parser, folder):
    with pytest.raises(EncryptedPdfError, match="password"):
        parser.parse(pdfs.encrypted_pdf(folder, "secret"))


def test_memory_cap_turns_a_bomb_into_too_large(folder):
    # 70 MB inflated stays under pypdf's own 75 MB limit, so the address-space cap must act:
    # a cap of 160 MB leaves the reader (~70 MB of address space once it has imported pypdf)
    # room for an ordinary paper, not for the bomb.
    bomb = pdfs.bomb_pdf(folder, megabytes=70)
    with ParserProcess(IngestSettings(timeout_s=60, memory_limit_mb=160)) as process:
        with pytest.raises(TooLargeError, match="too much memory"):
            process.parse(bomb)
        assert process.parse(pdfs.ecology_paper(folder)).pages  # the child survived


def test_timeout_kills_and_the_next_file_restarts(folder):
    path = pdfs.ecology_paper(folder)
    with ParserProcess(IngestSettings(timeout_s=1e-4)) as process:
        with pytest.raises(ParseTimeoutError, match="took longer than"):
            process.parse(path)
        assert process._process is None
        process.settings = IngestSettings(timeout_s=30)
        assert process.parse(path).pages


def test_a_dead_child_is_replaced(parser, folder):
    path = pdfs.ecology_paper(folder)
    parser.parse(path)
    os.kill(parser._process.pid, signal.SIGKILL)
    parser._process.join(5)
    assert parser.parse(path).pages


def test_a_file_read_ahead_is_picked_up_by_parse(parser, folder):
    path = pdfs.ecology_paper(folder)
    parser.prefetch(path)
    pid = parser._process.pid
    doc = parser.parse(path)
    assert doc.path == path and doc.meta.title == pdfs.ECOLOGY_TITLE
    assert parser._process.pid == pid and parser._ahead is None


def test_a_file_read_ahead_for_nothing_is_dropped(parser, folder):
    parser.prefetch(pdfs.encrypted_pdf(folder, "secret"))  # then the batch was cancelled
    doc = parser.parse(pdfs.ecology_paper(folder))  # not the stale reply
    assert doc.meta.title == pdfs.ECOLOGY_TITLE


def test_a_read_ahead_error_belongs_to_its_file(parser, folder):
    encrypted = pdfs.encrypted_pdf(folder, "secret")
    parser.prefetch(encrypted)
    with pytest.raises(EncryptedPdfError, match="password"):
        parser.parse(encrypted)
    assert parser.parse(pdfs.ecology_paper(folder)).pages


def test_a_reply_read_ahead_is_kept_while_the_reader_reads_the_next(parser, folder):
    # a free reader is given the next file while the first one's reply waits for its turn
    paper, encrypted = pdfs.ecology_paper(folder), pdfs.encrypted_pdf(folder, "secret")
    parser.prefetch(encrypted)
    deadline = time.monotonic() + 30
    while not parser.collect():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert parser.holds(encrypted) and parser.ahead is None
    parser.prefetch(paper)
    assert parser.holds(paper) and parser.ahead == paper.resolve() and not parser.collect()
    with pytest.raises(EncryptedPdfError, match="password"):
        parser.parse(encrypted)
    assert parser.parse(paper).meta.title == pdfs.ECOLOGY_TITLE
    assert not parser.holds(paper) and not parser.holds(encrypted)


def test_what_was_read_ahead_is_forgotten_when_the_batch_ends(parser, folder):
    paper = pdfs.ecology_paper(folder)
    parser.prefetch(paper)
    parser.drop_ahead()  # the file might change before the next batch reads it
    assert not parser.holds(paper)
    assert parser.parse(paper).meta.title == pdfs.ECOLOGY_TITLE  # read anew
