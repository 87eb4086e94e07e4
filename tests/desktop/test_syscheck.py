"""desktop/syscheck.py: the start-up check for the libraries of Qt's xcb plugin."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from desktop import syscheck

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibfoo-unknown.so.3 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
"""


def test_parse_ldd_lists_each_missing_library_once():
    assert syscheck.parse_ldd(LDD) == [
        "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo-unknown.so.3",
    ]


def test_install_command_for_apt_and_dnf():
    missing = ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert (syscheck.install_command(missing, tool="apt-get")
            == "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1")
    assert (syscheck.install_command(missing, tool="dnf")
            == "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms")
    assert (syscheck.install_command(["libxcb-icccm.so.4", "libfoo.so.3"], tool="apt-get")
            == "sudo apt-get install libxcb-icccm4; and the packages providing libfoo.so.3")


def test_check_prints_one_line_and_fails_when_a_library_is_missing(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(syscheck, "xcb_plugin", lambda: tmp_path / "libqxcb.so")
    monkeypatch.setattr(syscheck, "missing_libraries", lambda plugin: ["libxcb-icccm.so.4"])
    assert syscheck.check(dialog=False) is False
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "libxcb-icccm.so.4" in err[0] and "Install with: sudo " in err[0] and "libxcb-icccm4" in err[0]


def test_offscreen_needs_no_x_libraries(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(syscheck, "xcb_plugin", lambda: 1 / 0)  # never looked at
    assert syscheck.check(dialog=False) is True


def test_the_installed_qt_plugin_is_found_and_checked():
    plugin = syscheck.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    # what it reports missing, the loader really cannot load (on a full desktop: nothing)
    for soname in syscheck.missing_libraries(plugin):
        with pytest.raises(OSError):
            ctypes.CDLL(soname)
    assert syscheck.missing_libraries(Path(sys.executable)) == []  # this Python runs
