"""Offline switches. Imported first by the package, before any model library."""

from __future__ import annotations

import os

_SWITCHES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def go_offline() -> None:
    """Make every model library stay off the network, whatever the user's environment says."""
    for key, value in _SWITCHES.items():
        os.environ[key] = value
    # Lantern uses no pydantic plugins: without this, the first settings model scans every
    # installed package's entry points for them, on every start of every command.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


go_offline()
