"""The bundle's executable: the desktop app, or the `lantern` CLI.

    Lantern                  open the window (files given are added)
    Lantern --cli COMMAND …  the CLI, e.g. `Lantern --cli ask "…" --json`
    lantern COMMAND …        the same, through the `lantern` link next to it (or /usr/bin/lantern)
    Lantern --version        app version, llama.cpp build flags, models and their sha256,
                             the dependency lock's sha256

PyInstaller freezes this file (packaging/lantern.spec); in a checkout, `python
packaging/lantern_main.py …` behaves the same, which is how the spec's entry is tested.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def print_version() -> int:
    from core.about import version_text

    print(version_text())
    return 0


def main(argv: list[str]) -> int:
    args = argv[1:]
    # Called by the name `lantern` (the link the tarball and the .deb ship) means the CLI.
    cli = Path(argv[0]).name == "lantern" if argv else False
    if args[:1] == ["--cli"]:
        cli, args = True, args[1:]
    if args[:1] in (["--version"], ["-V"]):
        return print_version()
    if cli:
        from core.cli import main as cli_main

        return cli_main(args)
    from desktop.app import main as desktop_main

    return desktop_main([argv[0], *args])


if __name__ == "__main__":
    # The PDF reader runs in a child started with "spawn": in the bundle that child is this
    # executable again, and freeze_support() turns it into the worker before anything else runs.
    multiprocessing.freeze_support()
    raise SystemExit(main(sys.argv))
