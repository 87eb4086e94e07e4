"""`lantern verify TABLE`: re-check every cited cell of an exported table against its PDFs."""

from __future__ import annotations

import argparse

from core import Library, printable, verify_table
from core.cli.output import EXIT_FAILED, EXIT_OK, dumps


def cmd_verify(lib: Library | None, args: argparse.Namespace) -> int:
    """One line per failing cell, then the summary; exit 1 if any cell failed. With --papers
    the library is not opened (a reviewer may have none)."""
    report = verify_table(args.table, library=lib, papers_dir=args.papers)
    if args.json:
        print(dumps({
            "table": str(report.table), "summary": report.summary(), "ok": report.ok,
            "cells": len(report.checks), "failed": [
                {"doc_id": c.claim.doc_id, "label": c.claim.label, "page": c.claim.page,
                 "reason": c.reason} for c in report.failures],
        }, indent=2))
    else:
        for check in report.failures:
            print(f"FAILED {printable(check.line())}")
        print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAILED
