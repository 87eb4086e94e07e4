"""PDF -> pages -> clean text -> sections -> chunks (+ metadata).

The names below are imported on first use: the reader process needs pypdf, the library that
only lists or asks does not (start-up time of `lantern list` and of the window).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.ingest.chunk import chunk_document
    from core.ingest.pdf import read_pdf
    from core.ingest.worker import ParserProcess

_LAZY = {"chunk_document": "core.ingest.chunk", "read_pdf": "core.ingest.pdf",
         "ParserProcess": "core.ingest.worker"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'core.ingest' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = ["ParserProcess", "chunk_document", "read_pdf"]
