"""`python -m desktop` opens Lantern."""

from desktop.app import main

# The guard matters: core reads PDFs in a child process started with "spawn", which
# imports this module again (as __mp_main__); without it the child would open a window.
if __name__ == "__main__":
    raise SystemExit(main())
