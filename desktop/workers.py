"""All of the desktop's threading: one QRunnable, its signals, and a one-at-a-time runner.

A job is a function ``fn(cancel: threading.Event)`` that either returns a value or is a
generator whose yielded items are progress events (``Library.add``/``Library.ask`` yield
typed events). The worker never touches a widget: it only emits signals, which Qt delivers
to the receivers' (GUI) thread as queued calls. Jobs run one at a time on a single pool
thread, because the model and the vector index must not be used by two jobs at once.

A long ``pausable`` job (an extraction) lets the jobs queued behind it that may
``interleave`` run at each of its yields, on the same thread, still one at a time: a
question asked meanwhile waits for one table cell, not for the whole table.
"""

from __future__ import annotations

import inspect
import logging
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from core import LanternError

log = logging.getLogger(__name__)

JobFn = Callable[[threading.Event], Any]


def single_shot(parent: QObject, msecs: int, slot: Callable[[], object]) -> QTimer:
    """A single-shot timer calling `slot` `msecs` after each start()."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(msecs)
    timer.timeout.connect(slot)
    return timer


def while_current(current: Callable[[], bool], slot: Callable[..., object]) -> Callable[..., None]:
    """`slot`, called only while `current()` holds: the callbacks of a job a widget has let go
    of (a newer one replaced it) are dropped."""

    def call(*args: Any) -> None:
        if current():
            slot(*args)

    return call


class WorkerSignals(QObject):
    """Signals of one job (a QRunnable is not a QObject, so it cannot emit by itself)."""

    progress = Signal(object)  # one yielded event
    result = Signal(object)  # the return value
    error = Signal(str)  # a readable message
    finished = Signal()  # always last, after result or error


class Job(QRunnable):
    """Run ``fn`` on a pool thread; cancel cooperatively through a ``threading.Event``."""

    def __init__(self, fn: JobFn, *, name: str = "job", interleave: bool = False) -> None:
        super().__init__()
        # The runner keeps the Python object alive until `finished`; Qt must not delete it.
        self.setAutoDelete(False)
        self.fn = fn
        self.name = name
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.done = threading.Event()
        self.relay: QObject | None = None  # set by JobRunner.submit
        self.interleave = interleave  # may run at a pausable job's yield
        self.started = False
        self.between: Callable[[], None] | None = None  # a pausable job's hook, at each yield

    def cancel(self) -> None:
        """Ask the job to stop at its next yield (or not to start at all)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:  # runs on the pool thread
        self.started = True
        try:
            if self._cancel.is_set():
                return
            out = self.fn(self._cancel)
            if inspect.isgenerator(out):
                out = self._drain(out)
            self.signals.result.emit(out)
        except LanternError as exc:
            self.signals.error.emit(str(exc))
        except MemoryError:
            self.signals.error.emit("Out of memory. Try a smaller model or fewer GPU layers.")
        except Exception as exc:  # a bug: report it readably instead of losing the thread
            log.error("%s failed:\n%s", self.name, traceback.format_exc())
            self.signals.error.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.done.set()
            self.signals.finished.emit()

    def _drain(self, gen: Any) -> Any:
        """Forward every yielded event; the generator checks the cancel event itself."""
        try:
            while True:
                self.signals.progress.emit(next(gen))
                if self.between is not None and not self._cancel.is_set():
                    self.between()
        except StopIteration as stop:
            return stop.value
        finally:
            gen.close()


class _Relay(QObject):
    """Lives on the GUI thread, so signals from the worker reach these slots queued.

    Connecting a worker's signal straight to a lambda would leave the thread the lambda
    runs in up to PySide; a bound slot of a GUI-thread QObject makes it the GUI thread.
    """

    def __init__(self, job: Job, callbacks: tuple, forget: Callable[[Job], None]) -> None:
        super().__init__()
        # A weak reference: job -> relay -> job would be a cycle that Python's garbage
        # collector might break on the worker thread, deleting a GUI-thread QObject there.
        self._job = weakref.ref(job)
        self._cbs, self._forget = callbacks, forget
        job.signals.progress.connect(self._on_progress)
        job.signals.result.connect(self._on_result)
        job.signals.error.connect(self._on_error)
        job.signals.finished.connect(self._on_finished)

    def mute(self) -> None:
        """Deliver nothing more to the callbacks (their widgets may be gone after a shutdown)."""
        self._cbs = (None, None, None, None)

    @Slot(object)
    def _on_progress(self, event: object) -> None:
        if self._cbs[0] is not None:
            self._cbs[0](event)

    @Slot(object)
    def _on_result(self, value: object) -> None:
        if self._cbs[1] is not None:
            self._cbs[1](value)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        if self._cbs[2] is not None:
            self._cbs[2](message)

    @Slot()
    def _on_finished(self) -> None:
        try:
            if self._cbs[3] is not None:
                self._cbs[3]()
        finally:
            if (job := self._job()) is not None:
                self._forget(job)


class JobRunner(QObject):
    """Queue jobs onto one thread, keep them alive while they run, stop them all on quit."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        # Qt (6.12 here) names pool threads after the pool: "lantern-jobs" in ps, top, tests.
        self._pool.setObjectName("lantern-jobs")
        self._pool.setMaxThreadCount(1)  # one job at a time touches the model and index
        self._jobs: list[Job] = []
        self._retired: list[Job] = []
        self._closed = False

    def submit(
        self,
        fn: JobFn,
        *,
        name: str = "job",
        progress: Callable[[Any], object] | None = None,
        result: Callable[[Any], object] | None = None,
        error: Callable[[str], object] | None = None,
        finished: Callable[[], object] | None = None,
        interleave: bool = False,
        pausable: bool = False,
    ) -> Job:
        """Start ``fn`` after the jobs already queued; callbacks run on the GUI thread.
        ``pausable``: run the queued ``interleave`` jobs at each of its yields."""
        job = Job(fn, name=name, interleave=interleave)
        if pausable:
            job.between = lambda: self._run_waiting(job)
        if self._closed:
            job.cancel()
        job.relay = _Relay(job, (progress, result, error, finished), self._forget)
        self._prune()
        self._jobs.append(job)
        self._pool.start(job)
        return job

    def _run_waiting(self, current: Job) -> None:
        """On the pool thread, at a pausable job's yield: run the queued jobs that may
        interleave, in order, before the pausable one goes on; one that may not stops the
        rest. ``tryTake`` takes a job off the pool's queue only if it has not started, so
        none runs twice."""
        for job in list(self._jobs):  # a copy: the GUI thread may append meanwhile
            if job is current or job.started:
                continue
            if not job.interleave or job.between is not None:
                break
            if self._pool.tryTake(job):
                job.run()

    def _forget(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
            # `finished` is emitted from inside run(): keep the object until the pool thread
            # has surely returned from it, then let it go on this (the GUI) thread.
            self._retired.append(job)

    def _prune(self) -> None:
        if self._pool.activeThreadCount() == 0:
            self._retired.clear()

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the queue is empty (tests and shutdown)."""
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 30_000) -> bool:
        """Cancel everything, wait for the running job to reach a yield, refuse new work."""
        self._closed = True
        for job in list(self._jobs):
            job.cancel()
        ok = self._pool.waitForDone(msecs)
        self._pool.clear()
        for job in self._jobs:  # their last signals may still be queued for the GUI thread
            if isinstance(job.relay, _Relay):
                job.relay.mute()
        if ok:
            self._retired.clear()
        return ok
