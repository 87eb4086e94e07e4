"""How long an extraction will take, said before it starts, and the choice a long one offers.

core times every cell it computes; ``Library.extract_estimate`` turns the median of those
times into a figure for the cells a run would compute. The Extract panel shows both modes'
figures under its Run button, and when the model's run would be long (core's
``LONG_ESTIMATE_S``, the CLI's threshold too) Run first offers the evidence-only run.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from core import LONG_ESTIMATE_S
from desktop.widgets import dialogs
from desktop.widgets.elided import ElidedLabel

if TYPE_CHECKING:
    from core import Library, QuestionSet


class Mode(enum.Enum):
    """What Run does after the question a long estimate asks."""

    EVIDENCE = "evidence"
    MODEL = "model"


@dataclass(frozen=True)
class Estimate:
    """The cells a run would compute in each mode and about how long they take (None: no
    cell timed that way in this library yet)."""

    model: str | None  # the chat model's name (None: no model configured)
    llm_cells: int
    llm_s: float | None
    evidence_cells: int
    evidence_s: float | None

    @classmethod
    def read(
        cls, lib: Library, qset: QuestionSet, papers: Sequence[str] | None, *, force: bool = False
    ) -> Estimate:
        """(Worker thread) Both modes' estimates; reads SQLite, loads no model."""
        llm = lib.extract_estimate(qset, papers, use_llm=True, force=force)
        evidence = lib.extract_estimate(qset, papers, use_llm=False, force=force)
        return cls(lib.model_name, *llm, *evidence)

    @property
    def long(self) -> bool:
        """The model's run would take long enough to offer evidence-only first."""
        return self.llm_cells > 0 and self.llm_s is not None and self.llm_s > LONG_ESTIMATE_S

    def line(self, *, use_llm: bool) -> str:
        """One line for the panel: the chosen mode's figure first ("" when nothing is left)."""
        if not use_llm:
            return _upper(_figure("evidence only", self.evidence_cells, self.evidence_s))
        if not self.llm_cells:
            return ""
        head = _figure("with the model", self.llm_cells, self.llm_s)
        if self.evidence_cells:
            tail = about(self.evidence_s) if self.evidence_s is not None else "not timed yet"
            head += f" · evidence only: {tail}"
        return _upper(head)

    def tip(self) -> str:
        model = self.model or "the model"
        return (
            f"From the median time of the latest cells answered with {model} (and "
            "without a model) in this library; the first run has no figure yet."
        )


def _upper(line: str) -> str:
    return line[:1].upper() + line[1:]


def _figure(how: str, cells: int, seconds: float | None) -> str:
    if not cells:
        return "every cell is answered already"
    n = f"{cells} cell{'s' if cells != 1 else ''}"
    if seconds is None:
        return f"{n} to answer {how}: the time shows after the first cell"
    return f"{about(seconds)} {how} ({n} × ~{per_cell(seconds / cells)})"


def about(seconds: float) -> str:
    return "under 1 s" if seconds < 1 else f"about {rough(seconds)}"


def rough(seconds: float) -> str:
    """A figure for an estimate, as precise as an estimate is: "under 1 s", "40 s", "4 min",
    "1 h 25 min"."""
    if seconds < 1:
        return "under 1 s"
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def per_cell(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else f"{round(seconds)} s"


class EstimateLabel(ElidedLabel):
    """The estimate line under the Run button; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setObjectName("dim")
        self.estimate: Estimate | None = None

    def show_estimate(self, estimate: Estimate | None, *, use_llm: bool) -> None:
        self.estimate = estimate
        line = estimate.line(use_llm=use_llm) if estimate is not None else ""
        self.set_full_text(line)
        self.setToolTip(estimate.tip() if line and estimate is not None else "")
        self.setVisible(bool(line))


def choose_mode(parent: QWidget | None, estimate: Estimate) -> Mode | None:
    """Ask how to run a long extraction: evidence only (the default), with the model, or not
    at all (None)."""
    cells = estimate.llm_cells
    assert estimate.llm_s is not None
    if not estimate.evidence_cells:
        fast = "Evidence only (answered already)"
    elif estimate.evidence_s is not None:
        fast = f"Evidence only ({about(estimate.evidence_s)})"
    else:
        fast = "Evidence only"
    picked = dialogs.choose(
        parent,
        "Run extraction",
        f"With the model, {cells} cell{'s' if cells != 1 else ''} take {about(estimate.llm_s)}.",
        [fast, f"With the model ({about(estimate.llm_s)})"],
        detail="Evidence only fills each cell with the paper's verified sentence that answers "
        "the question, without the language model. You can still run with the model later.",
    )
    return None if picked is None else (Mode.EVIDENCE, Mode.MODEL)[picked]
