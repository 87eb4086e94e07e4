"""Helpers shared by the benchmarks: paths, peak memory, a fresh library."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVALSET = ROOT.parent / "shared" / "evalset"


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def require_evalset() -> Path:
    if not EVALSET.is_dir():
        sys.exit(f"bench: {EVALSET} not found (the evalset lives beside the project root)")
    return EVALSET
