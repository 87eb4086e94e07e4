"""The first start adds the sample papers; when that fails, the window says so (issue 20: a
bundle that lost a package's data files opened fine and failed only on the first paper)."""

from __future__ import annotations


def test_samples_that_cannot_be_embedded_are_reported_in_the_window(
    qtbot, fake_window, fake_embedder, monkeypatch
):
    def broken(texts):
        raise FileNotFoundError("Cannot load dependency data, is `kernels` correctly installed?")

    monkeypatch.setattr(fake_embedder, "embed", broken)
    window = fake_window(samples=True)
    qtbot.waitUntil(lambda: window.failures.rowCount() == 3, timeout=60_000)
    qtbot.waitUntil(lambda: not window.ingest.busy(), timeout=60_000)
    assert window.ingest.isVisible() and window.ingest.fail_list.isVisible()
    assert window.ingest.fail_label.text() == "3 files could not be added:"
    lines = [window.failures.index(r, 0).data() for r in range(3)]
    assert all("`kernels` correctly installed" in line for line in lines), lines
    assert "camera_trap_deep_learning.pdf" in " ".join(lines)
    assert window.ingest.label.text() == "Finished: 3 failed."
