"""The bridge: records put from worker threads arrive in the GUI thread, in order, batched."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from fieldapp.buffer import RecordBuffer
from tests.ui import synthetic
from ui.bridge import RecordBridge


def test_records_from_a_worker_thread_arrive_in_the_gui_thread_in_order(qtbot, bridge):
    received, threads = [], []

    def on_batch(batch):
        received.extend(batch)
        threads.append(QThread.currentThread())

    bridge.records_arrived.connect(on_batch)
    records = synthetic.drive(50)
    worker = threading.Thread(target=lambda: [bridge.put(r) for r in records], name="producer")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(received) == len(records), timeout=3000)
    assert received == records
    assert all(t is bridge.thread() for t in threads)  # delivered in the GUI thread
    assert len(threads) < len(records)  # batched: one signal per tick, not per record


def test_a_tick_with_nothing_new_emits_nothing(qtbot):
    b = RecordBridge(tick_ms=10)
    with qtbot.assertNotEmitted(b.records_arrived, wait=50):
        assert b.drain_now() == 0


def test_a_stalled_gui_drops_the_oldest_and_counts_them():
    b = RecordBridge(buffer=RecordBuffer(maxlen=10))
    for i in range(25):
        b.put(i)
    batch = []
    b.records_arrived.connect(batch.extend)
    b.drain_now()
    assert batch == list(range(15, 25))
    assert b.dropped == 15


def test_start_and_stop_leave_no_timer_running(qtbot):
    b = RecordBridge()
    b.start()
    assert b.is_running()
    b.stop()
    assert not b.is_running()
