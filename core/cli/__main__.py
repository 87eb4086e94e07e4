"""`python -m core.cli`: the same as the `lantern` command."""

from __future__ import annotations

import sys

from core.cli import main

sys.exit(main())
