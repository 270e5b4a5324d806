"""The workspace store (SQLite, WAL): sessions and everything recorded in them, cases and
their attachments, the cell plan.

Every SQL statement of fieldapp lives in this package; the rest of the app calls ``Store``
methods. May import: the kernel (``fieldapp.model``) and the standard library; never
``drivers`` or ``logs``, which stand beside it (the layers contract in pyproject.toml). One ``Store`` is one
connection, used from one thread (the recorder opens its own in its writer thread).

    with Store.open(path) as store:
        sid = store.create_session("simulator:bus-stop-tilt13")
        store.add_samples(sid, samples)
        store.commit()
"""

from fieldapp.store.cases import Attachment, HistoryEntry, UnknownCase
from fieldapp.store.schema import (
    RECORD_ERRORS,
    SCHEMA_VERSION,
    TRANSIENT_ERRORS,
    StoreDamaged,
    StoreError,
    as_store_error,
)
from fieldapp.store.workspace import SessionInfo, Store, UnknownSession

__all__ = ["RECORD_ERRORS", "SCHEMA_VERSION", "TRANSIENT_ERRORS", "Attachment", "HistoryEntry", "SessionInfo", "Store",
           "StoreDamaged", "StoreError", "UnknownCase", "UnknownSession", "as_store_error"]
