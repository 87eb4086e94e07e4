"""Question sets: the picker (built-in sets and opened files) and a plain TOML editor."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import (
    BUILTIN_PREFIX,
    QuestionSet,
    QuestionSetError,
    builtin_sets,
    load_question_set,
    parse_question_set,
)
from desktop.widgets import folders
from desktop.workers import single_shot


def question_set_text(qset: QuestionSet) -> str:
    """The TOML a set was read from: its file, or the built-in file that ships with core."""
    if qset.source.startswith(BUILTIN_PREFIX):
        # core has no call for a built-in set's text; the files are package data beside
        # core/questionsets/__init__.py (load_question_set reads them the same way).
        name = qset.source.removeprefix(BUILTIN_PREFIX)
        return resources.files("core.questionsets").joinpath(f"{name}.toml").read_text("utf-8")
    return Path(qset.source).read_text(encoding="utf-8")


class QuestionSetEditor(QDialog):
    """Edit the text; "Save As…" writes it once it parses. ``saved`` holds the path."""

    def __init__(self, *, text: str, source: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.setWindowTitle(f"Question set — {self._name()}")
        self.saved: Path | None = None
        self.qset: QuestionSet | None = None
        self.resize(760, 620)

        self.editor = QPlainTextEdit()
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setPlainText(text)
        self.check = QLabel()
        self.check.setWordWrap(True)
        self.check.setTextFormat(Qt.TextFormat.PlainText)
        self.check.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where = QLabel()
        self.where.setObjectName("dim")
        help_ = QLabel(
            "Each <code>[[questions]]</code> table needs <code>id</code>, <code>label</code> "
            "(the column heading) and <code>question</code>; <code>keywords</code> and "
            "<code>sections</code> are optional. Answers are stored per question: editing a "
            "question's text answers it again, other questions keep their answers."
        )
        help_.setObjectName("dim")
        help_.setWordWrap(True)
        self.save_btn = QPushButton("Save As…")
        self.save_btn.setObjectName("primary")
        self.save_btn.clicked.connect(lambda: self.save_as())
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.where)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.save_btn)
        layout = QVBoxLayout(self)
        layout.addWidget(help_)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.check)
        layout.addLayout(buttons)

        self._timer = single_shot(self, 300, self.validate)
        self.editor.textChanged.connect(self._timer.start)
        self.editor.cursorPositionChanged.connect(self._show_position)
        self.validate()
        self._show_position()

    def validate(self) -> QuestionSet | None:
        """Parse the text; show the parser's message (it names the line and question)."""
        try:
            self.qset = parse_question_set(self.editor.toPlainText(), self._name())
        except QuestionSetError as exc:
            self.qset = None
            self.check.setStyleSheet("color: #b42318;")
            self.check.setText(str(exc))
        else:
            n = len(self.qset.questions)
            self.check.setStyleSheet("color: #1a7f37;")
            self.check.setText(f"✓ {self.qset.title}: {n} question{'s' if n != 1 else ''}")
        self.save_btn.setEnabled(self.qset is not None)
        return self.qset

    def save_as(self, path: Path | None = None) -> Path | None:
        """Write the text to a .toml file (asking where, unless ``path`` is given)."""
        if self.validate() is None:
            return None
        if path is None:
            suggested = self._suggested()
            chosen, _ = folders.save_file(
                self, "Save question set", str(suggested), "Question sets (*.toml)"
            )
            if not chosen:
                return None
            path = Path(chosen)
        if path.suffix.lower() != ".toml":
            path = path.with_name(path.name + ".toml")
        try:
            path.write_text(self.editor.toPlainText(), encoding="utf-8")
        except OSError as exc:
            QMessageBox.warning(self, "Not saved", f"Could not write {path}: {exc.strerror or exc}")
            return None
        self.saved = path
        self.accept()
        return path

    def _name(self) -> str:
        """How parse errors name the text: its file name ("dl-methods.toml" for a built-in)."""
        return Path(self.source.removeprefix(BUILTIN_PREFIX)).with_suffix(".toml").name

    def _suggested(self) -> Path:
        if not self.source.startswith(BUILTIN_PREFIX):
            return Path(self.source)
        return Path(f"{self.source.removeprefix(BUILTIN_PREFIX)}.toml")  # in the last folder

    def _show_position(self) -> None:
        c = self.editor.textCursor()
        self.where.setText(f"Line {c.blockNumber() + 1}, column {c.positionInBlock() + 1}")


class QuestionSetPicker(QWidget):
    """A list of question sets with Open… and Edit…; ``changed`` when another set is chosen."""

    changed = Signal()
    problem = Signal(str)  # a readable reason a set could not be read ("" once one could)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor: QuestionSetEditor | None = None
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(12)  # the tooltip has the whole title
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setToolTip("The questions asked of every paper")
        self.open_btn = QPushButton("Open…")
        self.open_btn.setToolTip("Open a question set (.toml file)")
        self.open_btn.clicked.connect(self.choose_file)
        self.edit_btn = QPushButton("Edit…")
        self.edit_btn.setToolTip("See and edit this set's questions; save your version as a file")
        self.edit_btn.clicked.connect(self.edit)
        label = QLabel("Questions")
        label.setObjectName("sectionLabel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.open_btn)
        layout.addWidget(self.edit_btn)
        for name in builtin_sets():
            self.add(load_question_set(BUILTIN_PREFIX + name), select=False)
        self.combo.currentIndexChanged.connect(self.changed)
        # The box may be narrower than a set's title: the whole title is in the tooltip.
        self.combo.currentIndexChanged.connect(
            lambda: self.combo.setToolTip(
                f"{self.combo.currentText()}\nThe questions asked of every paper"
            )
        )

    @property
    def qset(self) -> QuestionSet | None:
        return self.combo.currentData()

    def add(self, qset: QuestionSet, *, select: bool = True) -> None:
        """List a set (replacing one read from the same place) and, by default, choose it."""
        builtin = qset.source.startswith(BUILTIN_PREFIX)
        name = "built-in" if builtin else Path(qset.source).name
        at = next(
            (i for i in range(self.combo.count()) if self.combo.itemData(i).source == qset.source),
            -1,
        )
        if at < 0:
            self.combo.addItem("", qset)
            at = self.combo.count() - 1
        self.combo.setItemText(at, f"{qset.title} ({name})")
        self.combo.setItemData(at, qset)
        tip = f"{qset.description}\n{qset.source}".strip()
        self.combo.setItemData(at, tip, Qt.ItemDataRole.ToolTipRole)
        if select:
            if self.combo.currentIndex() == at:
                self.changed.emit()  # read again from the same place: new questions
            self.combo.setCurrentIndex(at)

    def open_file(self, path: Path) -> QuestionSet | None:
        """Load a question set file; a malformed one is explained (core's message), not listed."""
        try:
            qset = load_question_set(path)
        except QuestionSetError as exc:
            self.problem.emit(str(exc))
            return None
        self.problem.emit("")
        self.add(qset)
        return qset

    def choose_file(self) -> None:
        chosen = folders.open_file(
            self, "Open a question set", "Question sets (*.toml);;All files (*)"
        )
        if chosen:
            self.open_file(Path(chosen))

    def edit(self) -> None:
        """Show the set's TOML in an editor; a copy saved from it is opened and chosen."""
        if self.qset is None:
            return
        try:
            text = question_set_text(self.qset)
        except OSError as exc:
            self.problem.emit(f"Cannot read {self.qset.source}: {exc.strerror or exc}")
            return
        self.editor = editor = QuestionSetEditor(text=text, source=self.qset.source, parent=self)
        editor.accepted.connect(lambda: editor.saved and self.open_file(editor.saved))
        editor.open()  # window-modal, without a nested event loop

    def set_busy(self, busy: bool) -> None:
        for w in (self.combo, self.open_btn, self.edit_btn):
            w.setEnabled(not busy)
