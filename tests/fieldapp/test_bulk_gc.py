"""fieldapp/bulk_gc.py: the collector's first threshold is raised during an import and put back
after it, also when it fails and when imports overlap in threads."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from fieldapp.bulk_gc import BULK_THRESHOLD, fewer_collections
from fieldapp.importer import import_file
from fieldapp.store import Store

NEMO = Path(__file__).resolve().parents[1] / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf"


@pytest.fixture(autouse=True)
def _own_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_raised_inside_and_put_back_after():
    with fewer_collections():
        assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)
        assert gc.isenabled()  # paced, never off
    assert gc.get_threshold() == (700, 10, 10)


def test_put_back_after_an_error():
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("import failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_of_the_caller_is_kept():
    gc.set_threshold(100_000, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 100_000
    assert gc.get_threshold() == (100_000, 10, 10)


def test_overlapping_imports_in_threads_put_it_back_once_the_last_ends():
    first_in, second_in, first_may_end = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first():
        with fewer_collections():
            first_in.set()
            first_may_end.wait(5)
        seen.append(("first ended", gc.get_threshold()[0]))
        second_in.wait(5)

    t = threading.Thread(target=first)
    t.start()
    first_in.wait(5)
    with fewer_collections():
        second_in.set()
        first_may_end.set()
        t.join(5)
        seen.append(("second still in", gc.get_threshold()[0]))
    assert seen == [("first ended", BULK_THRESHOLD), ("second still in", BULK_THRESHOLD)]
    assert gc.get_threshold() == (700, 10, 10)


def test_an_import_runs_with_fewer_collections(tmp_path):
    during = []
    with Store.open(tmp_path / "w.db") as store:
        result = import_file(store, NEMO, progress=lambda *a, **k: during.append(gc.get_threshold()[0]))
    assert result.counts["samples"] > 0 and during
    assert set(during) == {BULK_THRESHOLD}
    assert gc.get_threshold() == (700, 10, 10)
