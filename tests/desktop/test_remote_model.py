"""Settings > Remote model: Test connection off the UI thread, saving, and the status bar."""

from __future__ import annotations

import json

from core import RemoteSettings
from core.settings import settings_file
from desktop.widgets.remote_model import RemoteModelBox
from desktop.widgets.settings_dialog import SettingsDialog
from tests.remote_stub import StubServer, closed_port


def make_box(qtbot, remote: RemoteSettings | None = None) -> RemoteModelBox:
    box = RemoteModelBox(remote=remote or RemoteSettings())
    qtbot.addWidget(box)
    box.show()
    assert not box.test.isEnabled()  # unchecked, the group's fields are off
    box.setChecked(True)
    return box


def test_test_connection_lists_the_models_without_blocking_the_window(qtbot):
    box = make_box(qtbot)
    with StubServer(models=("llama-3.1-8b", "qwen2.5-7b"), stall=0.5) as stub:
        box.url.setText(stub.url.removesuffix("/v1"))
        with qtbot.waitSignal(box.tested, timeout=5000) as signal:
            box.test.click()
            # the click returned at once: the request is still waiting on the stalled server
            assert not box.test.isEnabled()
            assert box.result.text() == f"Connecting to {stub.url}…"
    assert signal.args == [True, "Connected to 127.0.0.1: 2 model(s): llama-3.1-8b, qwen2.5-7b"]
    assert [box.model.itemText(i) for i in range(box.model.count())] == [
        "llama-3.1-8b", "qwen2.5-7b"]
    qtbot.waitUntil(box.test.isEnabled)


def test_test_connection_reports_the_exact_error(qtbot):
    box = make_box(qtbot)
    url = f"http://127.0.0.1:{closed_port()}/v1"
    box.url.setText(url)
    with qtbot.waitSignal(box.tested, timeout=5000) as signal:
        box.test.click()
    assert signal.args == [False, f"cannot reach the model server at {url}: connection refused; "
                           "check it is running, or switch back to the built-in model in Settings"]
    assert box.result.text() == signal.args[1]
    with StubServer(models=("a",)) as stub:
        box.url.setText(stub.url)
        box.model.setCurrentText("b")
        with qtbot.waitSignal(box.tested, timeout=5000) as signal:
            box.test.click()
    assert signal.args == [False, "127.0.0.1 answers, but does not serve 'b'; it lists: a"]


def test_a_bad_address_keeps_the_dialog_open(qtbot, settings):
    dialog = SettingsDialog(settings=settings, models=[])
    qtbot.addWidget(dialog)
    dialog.remote.setChecked(True)
    dialog.remote.url.setText("lab-server:8000")
    dialog.accept()
    assert dialog.result() == 0  # not accepted
    assert "is not a server address" in dialog.remote.result.text()
    dialog.remote.url.setText("http://lab-server:8000")
    dialog.accept()
    assert dialog.result() == 1
    assert dialog.new_settings().remote == RemoteSettings(enabled=True, url="http://lab-server:8000/v1")


def test_saving_a_server_shows_it_in_the_status_bar(qtbot, fake_window, monkeypatch):
    monkeypatch.setenv("LAB_KEY", "k")
    window = fake_window()
    assert window.offline_label.text() == "● Offline"
    with StubServer(models=("llama-3.1-8b",)) as stub:
        dialog = SettingsDialog(settings=window.backend.settings, models=[], parent=window)
        dialog.remote.setChecked(True)
        dialog.remote.url.setText(stub.url)
        dialog.remote.key_env.setText("LAB_KEY")
        window.backend.apply(dialog.new_settings())
        qtbot.waitUntil(lambda: window.model_label.text() == "Model: 127.0.0.1/llama-3.1-8b",
                        timeout=5000)
    assert window.offline_label.text() == "● Model server"
    assert stub.url in window.offline_label.toolTip()
    saved = json.loads(settings_file().read_text())["remote"]
    assert saved["enabled"] and saved["url"] == stub.url and saved["api_key_env"] == "LAB_KEY"

    # back to the built-in model: nothing is contacted, the address is kept for later
    dialog = SettingsDialog(settings=window.backend.settings, models=[], parent=window)
    dialog.remote.setChecked(False)
    window.backend.apply(dialog.new_settings())
    qtbot.waitUntil(lambda: window.model_label.text().startswith("Model: SmolLM2"), timeout=10000)
    assert window.offline_label.text() == "● Offline"
    assert json.loads(settings_file().read_text())["remote"]["url"] == stub.url
