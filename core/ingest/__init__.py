"""PDF -> pages -> clean text -> sections -> chunks (+ metadata).

The names below are imported on first use: the reader process needs pypdf, the library that
only lists or asks does not (start-up time of `lantern list` and of the window).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.lazy import lazy_names

if TYPE_CHECKING:
    from core.ingest.chunk import chunk_document
    from core.ingest.pdf import read_pdf
    from core.ingest.worker import ParserProcess

__getattr__, __dir__ = lazy_names(__name__, {
    "chunk_document": ("core.ingest.chunk", "chunk_document"),
    "read_pdf": ("core.ingest.pdf", "read_pdf"),
    "ParserProcess": ("core.ingest.worker", "ParserProcess"),
})


__all__ = ["ParserProcess", "chunk_document", "read_pdf"]
