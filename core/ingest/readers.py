"""The reader processes of a batch: files read in turn, the next ones read ahead.

Each reader (core.ingest.worker.ParserProcess) reads one file at a time. While the pipeline
waits for the file whose turn it is, or chunks and stores it, the free readers are given the
next files of the batch; a reply read ahead is kept until its file's turn, so the batch keeps
its order and a long paper holds up only the reader reading it. On two cores two readers make
a batch searchable in about half the time (bench/README.md, "Results, fourth session").
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import IngestSettings, OcrSettings
from core.types import FileProgress, ParsedDocument

if TYPE_CHECKING:
    from core.ingest.worker import ParserProcess


class Readers:
    """`settings.readers` reader processes, each started on its first file. `worth(path)`
    says whether a file is to be read ahead at all (not unchanged, not a bad file, whose
    message comes in its turn); it is asked once a batch."""

    def __init__(self, settings: IngestSettings, ocr: OcrSettings | None, verbose: bool,
                 worth: Callable[[Path], bool]) -> None:
        self.settings = settings
        self.ocr = ocr
        self.verbose = verbose
        self.worth = worth
        self._parsers: list[ParserProcess] = []
        self._worth: dict[Path, bool] = {}  # files of this batch worth reading ahead

    def _all(self) -> list[ParserProcess]:
        if not self._parsers:
            from core.ingest.worker import ParserProcess

            self._parsers = [ParserProcess(self.settings, verbose=self.verbose, ocr=self.ocr)
                             for _ in range(self.settings.readers)]
        return self._parsers

    def read(
        self, path: Path, cancel: threading.Event, upcoming: Sequence[Path] = ()
    ) -> Generator[FileProgress, None, ParsedDocument | None]:
        """Read `path` in a reader (the one that read it ahead, else a free one), the others
        reading `upcoming` meanwhile, passing on OCR progress page by page; the document, or
        None when cancelled."""
        readers = self._all()
        parser = next((p for p in readers if p.holds(path)), None) or next(
            (p for p in readers if p.collect()), readers[0])
        reading = parser.read(path, cancel, meanwhile=lambda: self.read_ahead(upcoming))
        while True:
            try:
                done, total = next(reading)
            except StopIteration as finished:
                return finished.value
            yield FileProgress(path, "ocr", done, total)

    def read_ahead(self, paths: Sequence[Path]) -> None:
        """Give the free readers the next of `paths` not read yet."""
        free = [p for p in self._all() if p.collect()]
        for path in paths:
            if not free:
                return
            if any(p.holds(path) for p in self._parsers) or not self._worth_reading(path):
                continue
            free.pop().prefetch(path)

    def _worth_reading(self, path: Path) -> bool:
        if (known := self._worth.get(path)) is None:
            known = self._worth[path] = self.worth(path)
        return known

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """A batch of files read in turn: what was read ahead and not used is forgotten at
        its end, however it ends (the files may change before the next batch reads them)."""
        try:
            yield
        finally:
            for parser in self._parsers:
                parser.drop_ahead()
            self._worth.clear()

    def close(self) -> None:
        """Stop the reader processes; a later read starts them again."""
        for parser in self._parsers:
            parser.close()
        self._parsers = []
