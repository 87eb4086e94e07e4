"""Where a provenance record lives in an exported file: a JSON file beside a CSV table, or a
front-matter block at the top of Markdown (core.provenance makes the record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SIDECAR_SUFFIX = ".provenance.json"


def sidecar_path(table: Path | str) -> Path:
    """Where a CSV table's provenance lives: TABLE.csv.provenance.json beside it."""
    table = Path(table)
    return table.with_name(table.name + SIDECAR_SUFFIX)


def front_matter(record: dict[str, Any]) -> str:
    """A Markdown front-matter block holding the record. JSON is YAML 1.2, so Pandoc and
    static-site tools read it as YAML front matter."""
    return "---\n" + json.dumps({"provenance": record}, indent=2, ensure_ascii=False) + "\n---\n\n"


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """(the provenance record, the rest) of a Markdown export; (None, text) without one."""
    text = text.removeprefix("\ufeff")
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return None, text
    try:
        data = json.loads(text[4:end])
    except ValueError:
        return None, text
    record = data.get("provenance") if isinstance(data, dict) else None
    return (record if isinstance(record, dict) else None), text[end + 5:].lstrip("\n")
