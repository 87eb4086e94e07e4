"""PDF -> pages -> clean text -> sections -> chunks (+ metadata)."""

from __future__ import annotations

from core.ingest.chunk import chunk_document
from core.ingest.pdf import read_pdf
from core.ingest.worker import ParserProcess

__all__ = ["ParserProcess", "chunk_document", "read_pdf"]
