"""core's public names are imported on first use: each one named in __all__ resolves."""

from __future__ import annotations

import ast
from pathlib import Path

import core


def test_every_public_name_resolves_to_what_its_module_defines():
    assert set(core.__all__) == set(core._LAZY)
    for name in core.__all__:
        module, attr = core._LAZY[name]
        assert getattr(core, name) is getattr(__import__(module, fromlist=[attr]), attr), name


def test_the_type_checkers_imports_name_the_same_public_names():
    """The names are listed once (core._MODULES); the TYPE_CHECKING imports that give them their
    types must say the same, or mypy and the running program disagree."""
    tree = ast.parse(Path(core.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING")
    typed = {
        (alias.asname or alias.name): (node.module, alias.name)
        for node in block.body if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == core._LAZY
