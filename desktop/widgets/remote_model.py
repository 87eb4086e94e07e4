"""Settings > Remote model: answer with a model server on the local network, and test it."""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from core import RemoteGenerator, RemoteSettings
from desktop.workers import JobRunner

# A test should answer quickly: these cap the configured timeouts while testing.
TEST_CONNECT_S, TEST_READ_S = 5.0, 10.0


class RemoteModelBox(QGroupBox):
    """A checkable group: checked, answers come from the server (retrieval and citations stay
    here). "Test connection" lists the server's models off the UI thread."""

    tested = Signal(bool, str)  # (reached, what the result line says), for tests and callers

    def __init__(self, *, remote: RemoteSettings, parent: QWidget | None = None) -> None:
        super().__init__("Remote model (a server on your network)", parent)
        self._base = remote
        self.setCheckable(True)
        self.setChecked(remote.enabled)
        self.url = QLineEdit(remote.url or "")
        self.url.setPlaceholderText("http://lab-server:8000/v1")
        self.url.setToolTip("OpenAI-compatible address: llama.cpp's server, vLLM, Ollama (/v1)")
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setCurrentText(remote.model)
        if (line := self.model.lineEdit()) is not None:  # editable: it has one
            line.setPlaceholderText("the only model the server serves")
        self.key_env = QLineEdit(remote.api_key_env or "")
        self.key_env.setPlaceholderText("optional, e.g. LAB_API_KEY")
        self.key_env.setToolTip(
            "The NAME of an environment variable holding the server's key. "
            "Lantern reads the key from it when asking and never stores the key."
        )
        self.test = QPushButton("Test connection")
        self.test.clicked.connect(self.run_test)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(
            "Each question and the passages found for it are sent to this address only; "
            "papers, the index and the citation check stay on this computer."
        )
        note.setWordWrap(True)
        note.setObjectName("dim")

        test_row = QHBoxLayout()
        test_row.addWidget(self.test)
        test_row.addStretch(1)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Server address", self.url)
        form.addRow("Model", self.model)
        form.addRow("Key variable", self.key_env)
        form.addRow("", test_row)
        # The result gets a row of its own, the whole width: a long error wraps onto more
        # lines there instead of overlapping the note below (as it did beside the button).
        form.addRow(self.result)
        form.addRow(note)
        self._runner = JobRunner(self)  # its own thread: a slow server never holds up the library
        self._probe: RemoteGenerator | None = None

    def settings(self) -> RemoteSettings:
        """The values as typed; raises ValidationError with what is wrong."""
        return RemoteSettings.model_validate(
            {
                **self._base.model_dump(),
                "enabled": self.isChecked(),
                "url": self.url.text(),
                "model": self.model.currentText().strip(),
                "api_key_env": self.key_env.text(),
            }
        )

    def problem(self) -> str | None:
        """What keeps the values from being saved, shown in the result line; None if fine."""
        try:
            self.settings()
        except ValidationError as exc:
            message = _first(exc)
            self._show(False, message)
            return message
        return None

    def run_test(self) -> None:
        """List the server's models in the background; the result line says what happened."""
        try:
            remote = self.settings().model_copy(
                update={
                    "connect_timeout_s": min(self._base.connect_timeout_s, TEST_CONNECT_S),
                    "read_timeout_s": min(self._base.read_timeout_s, TEST_READ_S),
                }
            )
            probe = RemoteGenerator(remote)
        except ValidationError as exc:
            self._show(False, _first(exc))
            return
        except Exception as exc:  # ModelError: no address typed
            self._show(False, str(exc))
            return
        self._probe = probe
        self.test.setEnabled(False)
        self._show(None, f"Connecting to {remote.url}…")
        wanted = remote.model
        self._runner.submit(
            lambda cancel: probe.models(),
            name="test-connection",
            result=lambda models: self._tested(models, wanted, probe.host),
            error=lambda message: self._show(False, message),
            finished=lambda: self.test.setEnabled(True),
        )

    def _tested(self, models: list[str], wanted: str, host: str) -> None:
        current = self.model.currentText()
        self.model.clear()
        self.model.addItems(models)
        self.model.setCurrentText(current if current or len(models) != 1 else models[0])
        listed = ", ".join(models) or "none"
        if wanted and wanted not in models:
            self._show(False, f"{host} answers, but does not serve {wanted!r}; it lists: {listed}")
        else:
            self._show(True, f"Connected to {host}: {len(models)} model(s): {listed}")

    def _show(self, ok: bool | None, text: str) -> None:
        self.result.setText(text)
        self.result.setObjectName({True: "", False: "modelError", None: "dim"}[ok])
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        _grow_to_fit(self.window())
        if ok is not None:
            self.tested.emit(ok, text)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """The dialog is closing: hang up a test still running and wait for its thread."""
        if self._probe is not None:
            self._probe.close()
        self._runner.shutdown(int((TEST_CONNECT_S + 1) * 1000))
        self._runner.deleteLater()
        self._runner = JobRunner(self)  # should the dialog be shown again
        super().hideEvent(event)


def _grow_to_fit(window: QWidget) -> None:
    """Make ``window`` tall enough for its wrapped texts at its width (it never shrinks)."""
    layout = window.layout()
    if layout is None or not window.isVisible():
        return
    layout.activate()
    need = layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth() else -1
    if need > window.height():
        window.resize(window.width(), need)


def _first(exc: ValidationError) -> str:
    return exc.errors()[0]["msg"].removeprefix("Value error, ")
