"""Settings > "Model judges answers": the dialog shows answers.judge and saves the choice."""

from __future__ import annotations

from desktop.widgets.settings_dialog import SettingsDialog


def test_the_dialog_shows_and_changes_the_judge_setting(qtbot, settings):
    dialog = SettingsDialog(settings=settings.replace(answers={"judge": "on"}), models=[])
    qtbot.addWidget(dialog)
    assert dialog.judge.currentData() == "on"
    dialog.judge.setCurrentIndex(dialog.judge.findData("auto"))
    assert dialog.new_settings().answers.judge == "auto"
    dialog.judge.setCurrentIndex(dialog.judge.findData("off"))
    new = dialog.new_settings()
    assert new.answers.judge == "off" and new.llm == settings.llm  # the rest kept
