"""Desktop fixtures: a real MainWindow over a real Library in the test's own temp folder.

The real small models (all-MiniLM-L6-v2, SmolLM2-135M) are loaded once per session by the
root conftest; each test's Library borrows them through a proxy that ignores close(), so a
test closing its window does not free them for the next test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core import Library, Settings  # noqa: E402
from core.pdfgen import write_paper  # noqa: E402
from core.settings import settings_file  # noqa: E402

SCREENS = Path(__file__).with_name("screens.json")


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    """Offscreen, three screens side by side: a desktop (1920×1200, the primary), a laptop
    (1366×768) and a small one (1024×700); a window opens on the one under the mouse."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return ["lantern-tests"]
    return ["lantern-tests", "-platform", f"offscreen:configfile={SCREENS}"]


class Shared:
    """A session-wide model seen through a proxy whose close() does nothing."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def close(self) -> None:
        pass


@pytest.fixture(scope="session")
def warm_models(real_embedder, real_generator):
    """Load both models before any test measures time or threads."""
    real_embedder.embed(["warm up"])
    real_generator.load()
    return real_embedder, real_generator


@pytest.fixture
def make_window(qtbot, warm_models) -> Iterator[Callable[..., object]]:
    """Build (and afterwards close) a MainWindow on this test's library and settings."""
    from desktop.backend import Backend
    from desktop.main_window import MainWindow

    embedder, generator = warm_models
    windows = []

    def make(*, samples=False, preload_model=False, show=True, shared_generator=True):
        settings = Settings.load()  # LANTERN_LIBRARY / LANTERN_SETTINGS point into tmp_path
        gen = Shared(generator) if shared_generator else None  # None: load the configured one
        backend = Backend(
            settings,
            settings_path=settings_file(),
            open_library=lambda s: Library(s, embedder=Shared(embedder), generator=gen),
        )
        window = MainWindow(backend=backend)
        if show:
            window.show()
        window.start(samples=samples, preload_model=preload_model)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if shiboken6.isValid(window):  # a test may have closed and deleted it already
            window.close()
            window.deleteLater()


@pytest.fixture
def paper_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Write a small generated paper; ``facts`` sentences go into its Methods section."""

    def write(
        name: str = "paper.pdf",
        *,
        title: str = "Soil Microbes in Alpine Meadows",
        facts: tuple[str, ...] = (),
    ) -> Path:
        body = facts or (
            "We sampled 120 soil cores from six meadows between 2019 and 2021 and sequenced "
            "the 16S rRNA gene on an Illumina MiSeq.",
        )
        path = tmp_path / "pdfs" / name
        path.parent.mkdir(exist_ok=True)
        return write_paper(
            path,
            title=title,
            authors=["Ida Berg", "Ravi Shah"],
            sections=[
                ("Abstract", ["We describe how soil microbial communities change with altitude."]),
                ("Methods", list(body)),
                ("Results", ["Diversity declined by 18 percent per 500 m of elevation."]),
            ],
            creation_year=2022,
        )

    return write


@pytest.fixture
def fake_window(qtbot, fake_embedder, fake_generator) -> Iterator[Callable[..., object]]:
    """A MainWindow over a Library with the fast fakes (no model loads): layout, feedback."""
    from desktop.backend import Backend
    from desktop.main_window import MainWindow

    windows = []

    def make(*, samples=False, show=True, size=(1024, 700)):
        settings = Settings.load()
        backend = Backend(
            settings,
            settings_path=settings_file(),
            # the fake chat model's answers stay as checked (the judge model has its own tests)
            open_library=lambda s: Library(s.replace(answers={"judge": "off"}),
                                           embedder=fake_embedder, generator=fake_generator),
        )
        window = MainWindow(backend=backend)
        if size is not None:
            window.resize(*size)
        if show:
            window.show()
            qtbot.waitExposed(window)
        window.start(samples=samples, preload_model=False)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if shiboken6.isValid(window):
            window.close()
            window.deleteLater()


@pytest.fixture
def viewer(qtbot):
    """The PDF viewer alone, shown at a panel's size."""
    from desktop.widgets.pdf_viewer import PdfViewer

    widget = PdfViewer()
    qtbot.addWidget(widget)
    widget.resize(520, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
