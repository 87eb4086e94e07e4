"""core's public names are imported on first use: each one named in __all__ resolves."""

from __future__ import annotations

import core


def test_every_public_name_resolves_to_what_its_module_defines():
    assert set(core.__all__) == set(core._LAZY)
    for name in core.__all__:
        module, attr = core._LAZY[name]
        assert getattr(core, name) is getattr(__import__(module, fromlist=[attr]), attr), name
