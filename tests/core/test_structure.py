"""The structure checks of `make lint` (scripts/check_structure.py) hold, and can fail."""

from __future__ import annotations

import runpy
from pathlib import Path

CHECK = runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "check_structure.py"))


def test_the_house_has_no_import_cycle_no_side_door_no_stray_sql_and_no_huge_class():
    assert CHECK["problems"]() == []


def test_a_cycle_through_a_function_level_import_is_found():
    graph = {"core.a": {"core.b"}, "core.b": {"core.c"}, "core.c": {"core.a"}, "core.d": set()}
    assert CHECK["cycles"](graph) == [["core.a", "core.b", "core.c"]]
    assert CHECK["cycles"]({"core.a": {"core.b"}, "core.b": set()}) == []


def test_every_import_statement_counts_wherever_it_stands(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from core.library import Library\n"
        "def f():\n    from core import answer\n    import core.store\n"
        "from core import Paper\n",
        encoding="utf-8",
    )
    known = {"core.answer": module, "core.library": module, "core.store": module}
    found = {m for _, m in CHECK["imports"]("core.m", module, known, {"Paper": "core.types"})}
    assert {"core.library", "core.answer", "core.store", "core.types"} <= found

