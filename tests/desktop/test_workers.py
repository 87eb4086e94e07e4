"""The one threading module: results, progress, errors, cancel, one job at a time, shutdown."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from core.errors import ModelError
from desktop.workers import JobRunner


def test_generator_job_reports_progress_then_result_on_gui_thread(qtbot):
    runner = JobRunner()
    seen: list[tuple[str, object, bool]] = []
    gui = QThread.currentThread()
    worker_threads: list[int] = []

    def work(cancel: threading.Event):
        worker_threads.append(threading.get_ident())
        yield from range(3)
        return "done"

    def note(kind: str):
        return lambda value=None: seen.append((kind, value, QThread.currentThread() is gui))

    job = runner.submit(
        work, progress=note("progress"), result=note("result"), finished=note("finished")
    )
    # a fast job may finish before a waitSignal could connect: wait on the recorded calls
    qtbot.waitUntil(lambda: any(k == "finished" for k, _, _ in seen), timeout=5000)
    assert job.signals is not None
    assert [(k, v) for k, v, _ in seen] == [
        ("progress", 0),
        ("progress", 1),
        ("progress", 2),
        ("result", "done"),
        ("finished", None),
    ]
    assert all(on_gui for _, _, on_gui in seen)
    assert worker_threads[0] != threading.get_ident()
    assert runner.shutdown()


def test_errors_become_messages(qtbot):
    runner = JobRunner()
    errors: list[str] = []

    def domain(cancel):
        raise ModelError("model.gguf: not a GGUF file")

    def bug(cancel):
        raise KeyError("oops")

    runner.submit(domain, error=errors.append)
    runner.submit(bug, error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2)
    assert errors[0] == "model.gguf: not a GGUF file"
    assert errors[1].startswith("KeyError")
    assert runner.shutdown()


def test_cancel_and_one_job_at_a_time(qtbot):
    runner = JobRunner()
    spans: list[tuple[float, float]] = []
    steps: list[int] = []

    def slow(cancel):
        start = time.perf_counter()
        for i in range(1000):
            if cancel.is_set():
                break
            steps.append(i)
            yield i
            time.sleep(0.002)
        spans.append((start, time.perf_counter()))

    first = runner.submit(slow, progress=lambda i: i == 5 and first.cancel())
    second = runner.submit(lambda cancel: spans.append((time.perf_counter(), time.perf_counter())))
    queued = runner.submit(slow)
    queued.cancel()  # cancelled before it starts: it never runs
    with qtbot.waitSignal(queued.signals.finished, timeout=10_000):
        pass
    assert second.done.is_set()
    assert len(steps) < 1000
    assert len(spans) == 2 and spans[0][1] <= spans[1][0]  # never overlapping
    assert runner.shutdown()


def test_shutdown_cancels_and_refuses_new_work(qtbot):
    runner = JobRunner()
    started = threading.Event()

    def forever(cancel):
        started.set()
        while not cancel.is_set():
            yield None
            time.sleep(0.005)

    runner.submit(forever)
    assert started.wait(5)
    assert runner.shutdown(5000)
    late = runner.submit(lambda cancel: 1 / 0)
    assert late.cancelled
    assert runner.wait(5000)


def test_queued_jobs_that_may_interleave_run_at_a_pausable_jobs_yields(qtbot):
    runner = JobRunner()
    order: list[str] = []
    go = threading.Event()

    def long(cancel: threading.Event):
        for i in range(4):
            go.wait(5)
            order.append(f"cell{i}")
            yield i

    runner.submit(long, pausable=True)
    runner.submit(lambda c: order.append("ask"), interleave=True)
    runner.submit(lambda c: order.append("add"))  # may not interleave: waits, and so does
    runner.submit(lambda c: order.append("read"), interleave=True)  # what is queued behind it
    go.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert order == ["cell0", "ask", "cell1", "cell2", "cell3", "add", "read"]
    assert runner.shutdown()
