"""The status bar's "Compacting the vector index n / N" while a rebuild runs in the background.

Removing papers until more than 30% of the vector index's slots are deleted starts a rebuild on
a core thread (core/vectors/index.py); questions keep working meanwhile. This label polls its
progress through small backend operations and, once built, commits it, so the rebuild is
visible and ends without waiting for the next question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from desktop.backend import Backend

POLL_MS = 500


class CompactionStatus(QLabel):
    """Hidden unless a compaction is under way; `watch()` after an operation that may start one."""

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.setToolTip("Removed papers leave gaps in the vector index; Lantern rebuilds it "
                        "without them in the background. Questions work meanwhile.")
        self.hide()
        self._timer = QTimer(self, singleShot=True, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)

    def watch(self) -> None:
        """Start showing the progress of the compaction under way, if any."""
        if not self._timer.isActive():
            self._poll()

    def _poll(self) -> None:
        self.backend.op("compaction", lambda lib, cancel: lib.compaction(), result=self._show)

    def _show(self, state: tuple[int, int] | None) -> None:
        if state is None:
            self.hide()
            return
        done, total = state
        self.setText(f"Compacting the vector index: {done:,} / {total:,}")
        self.show()
        if done < total:
            self._timer.start()
        else:  # built: swap it in now rather than at the next question
            self.backend.op("compaction", lambda lib, cancel: lib.finish_compaction(),
                            finished=self._timer.start)
