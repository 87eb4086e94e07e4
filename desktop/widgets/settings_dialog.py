"""Settings: the chat model and how it runs, and how many passages an answer reads."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core import Settings
from core.types import ModelInfo
from desktop.widgets import folders
from desktop.widgets.remote_model import RemoteModelBox


class SettingsDialog(QDialog):
    """Edits the values; the caller applies ``new_settings()`` in the background."""

    def __init__(
        self, *, settings: Settings, models: list[ModelInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lantern Settings")
        self._settings = settings
        llm = settings.llm

        self.model = QComboBox()
        self.model.setMinimumContentsLength(28)
        # As wide as the longest "name   (size)": a model's size is how people tell them apart.
        self.model.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for m in models:
            if m.kind == "gguf":
                self._add_model(m.path, f"{m.name}   ({_size(m.size_mb)})")
        chosen = llm.model_path or next(
            (m.path for m in models if m.kind == "gguf" and m.default), None
        )
        if chosen is not None:
            self._select(chosen)
        # Left alone, the picker keeps the setting as it was (None = "the default model").
        self._initial = (self.model.currentData(), llm.model_path)
        add = QPushButton("Add…")
        add.setToolTip("Choose a .gguf chat model file")
        add.clicked.connect(self._browse)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(add)

        self.threads = QSpinBox()
        self.threads.setRange(0, max(os.cpu_count() or 1, 1) * 2)
        self.threads.setSpecialValueText("Automatic (all cores)")
        self.threads.setValue(llm.n_threads or 0)
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(-1, 999)
        self.gpu_layers.setSpecialValueText("All layers")
        self.gpu_layers.setValue(llm.n_gpu_layers)
        self.gpu_layers.setToolTip("0 runs on the CPU only; needs a GPU build of llama-cpp-python")
        self.n_ctx = QSpinBox()
        self.n_ctx.setRange(512, 131072)
        self.n_ctx.setSingleStep(1024)
        self.n_ctx.setSuffix(" tokens")
        self.n_ctx.setValue(llm.n_ctx)
        self.n_ctx.setToolTip("How much text the model reads at once; larger needs more memory")
        self.k = QSpinBox()
        self.k.setRange(1, 50)
        self.k.setValue(settings.retrieval.k)
        self.k.setToolTip("Passages retrieved for each question and shown as evidence")
        self.judge = QComboBox()
        judge = next((m.name for m in models if m.kind == "judge"), None)
        for label, mode in (("Automatic", "auto"),
                            ("On", "on"), ("Off", "off")):
            self.judge.addItem(label, mode)
        self.judge.setCurrentIndex(self.judge.findData(settings.answers.judge))
        self.judge.setToolTip(
            "After the answer is written, a model checks that the sentence shown states what "
            "was asked (one short YES/NO call per candidate sentence). Automatic: a 1B+ chat "
            "model or a model server judges its own answers; a smaller one's are judged by "
            + (f"the judge model ({judge})" if judge else
               "the judge model, which is not installed (run make setup)")
            + ". On makes even a tiny chat model judge itself; Off shows the checked answer "
            "as it is.")

        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.addRow("Chat model", model_row)
        form.addRow(
            "",
            _note(
                "Any instruct model in GGUF format works; 3–8B models quantised "
                "as Q4_K_M give much better answers than the tiny default."
            ),
        )
        form.addRow("CPU threads", self.threads)
        form.addRow("GPU layers", self.gpu_layers)
        form.addRow("Context size", self.n_ctx)
        form.addRow("Passages per answer", self.k)
        form.addRow("Model judges answers", self.judge)
        form.addRow("", _note(f"Library folder: {settings.library}"))

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 18, 18, 14)
        layout.addLayout(form)
        self.remote = RemoteModelBox(remote=settings.remote)
        layout.addWidget(self.remote)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        # Never narrower than the model names (a window on a small screen would be cut to 2/3
        # of its width by QWidget.adjustSize).
        self.setMinimumWidth(max(520, self.sizeHint().width()))
        # and never lower than the wrapped notes at that width (a dialog sizes itself by its
        # labels' one-line hints, which cut a note that wraps to two lines)
        self.setMinimumHeight(layout.totalHeightForWidth(self.minimumWidth()))

    def new_settings(self) -> Settings:
        """The settings as edited: a new object (Settings are frozen), the rest kept."""
        path = self.model.currentData()
        unchanged = path == self._initial[0]
        llm = {
            "model_path": self._initial[1] if unchanged else (Path(path) if path else None),
            "n_threads": self.threads.value() or None,  # 0 in the box: every core
            "n_gpu_layers": self.gpu_layers.value(),
            "n_ctx": self.n_ctx.value(),
        }
        return self._settings.replace(
            llm=llm, retrieval={"k": self.k.value()}, remote=self.remote.settings(),
            answers={"judge": self.judge.currentData()},
        )

    def accept(self) -> None:
        if self.remote.problem() is None:  # else the box says what to fix
            super().accept()

    def _add_model(self, path: Path, label: str) -> None:
        path = path.resolve()
        if self.model.findData(str(path)) < 0:
            self.model.addItem(label, str(path))
            self.model.setItemData(self.model.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole)

    def _select(self, path: Path) -> None:
        path = path.resolve()
        i = self.model.findData(str(path))
        if i < 0:
            self._add_model(path, path.name)
            i = self.model.count() - 1
        self.model.setCurrentIndex(i)

    def _browse(self) -> None:
        chosen = folders.open_file(self, "Choose a GGUF model", "GGUF models (*.gguf)")
        if chosen:
            p = Path(chosen)
            self._add_model(p, f"{p.name}   ({_size(p.stat().st_size / 2**20)})")
            self._select(p)


def _size(mb: float) -> str:
    return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("dim")
    return label
