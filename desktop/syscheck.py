"""Before Qt starts on Linux: are the system libraries of Qt's X11 (xcb) plugin there?

Without them Qt aborts with "could not load the Qt platform plugin xcb" and no hint of what
to install. `ldd` on the plugin itself names every library that cannot be found (the list
follows whichever Qt is installed, in a checkout or in the bundle); each is mapped to its
package, and the user gets one line with the exact install command, also in a dialog when
the desktop has a tool to show one (Qt itself cannot: it is what fails to load).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package). The X11 client libraries Qt 6's
# libqxcb.so and its Qt libraries link (ldd on PySide6 6.x); any other soname is named as is.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
}


def xcb_plugin() -> Path | None:
    """Qt's X11 platform plugin: where Qt reports its plugins, else next to PySide6 (the
    PyInstaller bundle keeps that layout), else on QT_PLUGIN_PATH."""
    import PySide6
    from PySide6.QtCore import QLibraryInfo

    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)),
               Path(PySide6.__file__).parent / "Qt" / "plugins"]
    folders += [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    for folder in folders:
        path = folder / "platforms" / "libqxcb.so"
        if path.is_file():
            return path
    return None


def missing_libraries(plugin: Path) -> list[str]:
    """Sonames the dynamic loader cannot find for `plugin` (ldd resolves the whole tree)."""
    try:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=20,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []  # no ldd (not glibc): let Qt report for itself
    return parse_ldd(out)


def parse_ldd(output: str) -> list[str]:
    """The 'NAME => not found' lines of ldd's output, each soname once, in order."""
    missing: dict[str, None] = {}
    for line in output.splitlines():
        name, sep, where = line.strip().partition("=>")
        if sep and where.strip() == "not found":
            missing[name.strip()] = None
    return list(missing)


def install_command(sonames: list[str], *, tool: str | None = None) -> str:
    """The one command that installs what is missing, for this system's package manager
    (apt-get or dnf; Debian's names when neither is found)."""
    if tool is None:
        tool = next((t for t in ("apt-get", "dnf") if shutil.which(t)), "apt-get")
    column = 1 if tool == "dnf" else 0
    packages = dict.fromkeys(PACKAGES[s][column] for s in sonames if s in PACKAGES)
    command = f"sudo {tool} install {' '.join(packages)}" if packages else ""
    unknown = [s for s in sonames if s not in PACKAGES]
    if unknown:
        command += ("; and " if command else "") + "the packages providing " + ", ".join(unknown)
    return command


def message(sonames: list[str]) -> str:
    return (f"Qt's X11 plugin cannot load: {', '.join(sonames)} not found. "
            f"Install with: {install_command(sonames)}")


def _uses_xcb() -> bool:
    """Whether Qt will load the xcb plugin: X11 sessions, and Wayland ones without a compositor
    socket. QT_QPA_PLATFORM=offscreen/wayland needs no X libraries."""
    if not sys.platform.startswith("linux"):
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    return not os.environ.get("WAYLAND_DISPLAY")


def _show_dialog(text: str) -> None:
    """Show the message with whatever dialog tool the desktop has; silently none otherwise."""
    env = dict(os.environ)
    if getattr(sys, "frozen", False):  # the bundle's libraries are not for the system's tools
        env.pop("LD_LIBRARY_PATH", None)
        if "LD_LIBRARY_PATH_ORIG" in env:  # set by PyInstaller's bootloader
            env["LD_LIBRARY_PATH"] = env["LD_LIBRARY_PATH_ORIG"]
    for argv in (["zenity", "--error", "--title=Lantern cannot start", f"--text={text}"],
                 ["kdialog", "--title", "Lantern cannot start", "--error", text],
                 ["xmessage", "-center", text]):
        if shutil.which(argv[0]):
            try:
                subprocess.run(argv, check=False, timeout=600, env=env)
            except (OSError, subprocess.SubprocessError):
                continue
            return


def check(*, dialog: bool = True) -> bool:
    """True if Qt can start; otherwise print one line (and show it) and return False."""
    if not _uses_xcb():
        return True
    plugin = xcb_plugin()
    if plugin is None:
        return True  # a Qt without the xcb plugin reports its own error
    missing = missing_libraries(plugin)
    if not missing:
        return True
    text = message(missing)
    print(f"lantern: {text}", file=sys.stderr)
    if dialog and os.environ.get("DISPLAY"):
        _show_dialog(text)
    return False


if __name__ == "__main__":  # `make run` checks before it starts the app
    raise SystemExit(0 if check(dialog=False) else 1)
