"""fieldapp/bulk_gc.py, a replay window's furniture: what exists once a replay window is open is
frozen out of the collector's scans, and everything is unfrozen when the last replay window
closes, so that what became garbage meanwhile (a closed window's reference cycles) is
collected again. Real collector, no mocks."""

from __future__ import annotations

import gc
import weakref

import pytest

from fieldapp import bulk_gc


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def no_window_open(monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(bulk_gc, "_open_windows", 0)
    yield
    gc.unfreeze()


def _garbage_cycle() -> weakref.ref:
    node = Node()
    ref = weakref.ref(node)
    del node
    return ref


def test_what_exists_when_a_window_opens_is_frozen_until_the_last_one_closes(no_window_open):
    cycle = _garbage_cycle()  # garbage already, not yet collected when the window opens
    bulk_gc.window_opened()
    assert gc.get_freeze_count() > 0
    gc.collect()
    assert cycle() is not None  # frozen with the rest: no collection looks at it
    bulk_gc.window_opened()  # a second replay window
    bulk_gc.window_closed()
    gc.collect()
    assert cycle() is not None and gc.get_freeze_count() > 0  # one window still open
    bulk_gc.window_closed()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert cycle() is None  # the last window closed: collected again


def test_objects_made_while_the_window_is_open_are_collected_as_usual(no_window_open):
    bulk_gc.window_opened()
    try:
        cycle = _garbage_cycle()
        gc.collect()
        assert cycle() is None
    finally:
        bulk_gc.window_closed()


def test_a_close_without_an_open_unfreezes_and_counts_no_lower_than_zero(no_window_open):
    bulk_gc.window_closed()
    assert bulk_gc._open_windows == 0 and gc.get_freeze_count() == 0
    bulk_gc.window_opened()
    assert bulk_gc._open_windows == 1
    bulk_gc.window_closed()
    assert gc.get_freeze_count() == 0
