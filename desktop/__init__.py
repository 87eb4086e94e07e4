"""Lantern's desktop app (PySide6): Qt widgets and models over the `core` API."""
