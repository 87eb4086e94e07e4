"""Importing a Zotero library: each PDF attachment is added like any file, then carries Zotero's
metadata (title, authors, year, DOI, keys, citekey, collections, tags).

A re-import reads only what is new or changed: an unchanged PDF is recognised by its hash (not
read again), and its metadata is rewritten only when Zotero's dateModified of the item moved.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path

from core.errors import IngestError
from core.store_sources import Sources
from core.types import BatchFinished, BatchStarted, FileResult, FileStarted, IngestEvent
from core.zotero import ZoteroItem, ZoteroLibrary, read_library

# Adds one file: (path, index, total, cancel, the next paths) -> its progress, then its
# FileResult (None when cancelled); the pipeline's add_one.
AddOne = Callable[
    [Path, int, int, threading.Event, Sequence[Path]],
    Generator[IngestEvent, None, "FileResult | None"],
]


def import_library(
    data_dir: Path | str | None, base_dir: Path | str | None, add_one: AddOne, sources: Sources,
    cancel: threading.Event,
) -> Iterator[IngestEvent]:
    """The import of the Zotero library in `data_dir` (default ~/Zotero; `base_dir`: Zotero's
    linked attachment base directory), see import_zotero. The library is read now, before the
    caller takes the write lock, so a missing or unreadable one is told first."""
    zotero = read_library(Path(data_dir) if data_dir else None,
                          base_dir=Path(base_dir) if base_dir else None)
    return import_zotero(zotero, add_one, sources, cancel)


def import_zotero(
    zotero: ZoteroLibrary, add_one: AddOne, sources: Sources, cancel: threading.Event
) -> Iterator[IngestEvent]:
    """Add the library's PDFs and record their Zotero metadata; attachments whose file is
    missing are reported as "skipped" with the reason."""
    items = zotero.items
    total = len(items) + len(zotero.skipped)
    counts = {"added": 0, "unchanged": 0, "replaced": 0, "failed": 0, "updated": 0, "skipped": 0}
    yield BatchStarted(total, notes=zotero.notes)
    present = {(item.library_id, item.attachment_key) for item in items}
    recorded: set[str] = set()
    for i, item in enumerate(items, start=1):
        if cancel.is_set():
            break
        yield FileStarted(i, total, item.pdf)
        upcoming = [later.pdf for later in items[i:i + 4]]
        result: FileResult | None
        try:
            result = yield from add_one(item.pdf, i, total, cancel, upcoming)
        except IngestError as exc:
            result = FileResult(i, total, item.pdf, "failed", error=str(exc))
        if result is None:  # cancelled mid-file: nothing of it was kept
            break
        doc_id = result.doc_id
        if doc_id is not None and result.status != "failed":
            source = sources.of(doc_id)
            # the same PDF attached to two items: the first keeps it, on every import
            duplicate = doc_id in recorded or (
                source is not None and source.attachment_key != item.attachment_key
                and (source.zotero_library, source.attachment_key) in present
            )
            changed = source is None or source.modified != item.modified
            if result.status != "unchanged" or (changed and not duplicate):
                sources.record(doc_id, _own_title(item))
                if result.status == "unchanged":
                    result = dataclasses.replace(result, status="updated")
            recorded.add(doc_id)
            stored = sources.store.paper(doc_id)  # the line shows the title that is stored
            result = dataclasses.replace(result, title=stored.title if stored else result.title)
        counts[result.status] += 1
        yield result
    if not cancel.is_set():
        for j, skipped in enumerate(zotero.skipped, start=len(items) + 1):
            counts["skipped"] += 1
            yield FileResult(j, total, Path(skipped.title), "skipped", title=skipped.title,
                             error=skipped.reason)
    yield BatchFinished(cancelled=cancel.is_set(), **counts)


def _own_title(item: ZoteroItem) -> ZoteroItem:
    """The item, its title left empty when it is only the file's name (Zotero titles a
    standalone attachment so): the title read from the PDF is then kept."""
    name = item.title.strip().casefold()
    if name in (item.pdf.stem.casefold(), item.pdf.name.casefold()):
        return dataclasses.replace(item, title="")
    return item
