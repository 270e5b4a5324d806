"""Import a drive-test log or a cell file into the workspace.

Streaming (records go to the store in batches; a 120 MB file never sits in memory), with a
progress callback and a cancel flag for the window's background import, and transactional:
the new session and all its records are one write transaction (``Store.add_session``), so a
failed or cancelled import rolls back and leaves the workspace exactly as it was.

A corrupt or truncated file imports what is readable; the result lists the first bad lines
with their numbers. A file with nothing readable at all is a failure (nothing is written).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import attrgetter, is_
from pathlib import Path
from typing import Any

from fieldapp import model
from fieldapp.bulk_gc import fewer_collections
from logs.nmea_log import NmeaLogReader
from logs.not_logs import what_else
from logs.registry import ALARMS, CELLS, STATS, ReaderInfo, UnknownFormat, pick_reader
from logs.stats import BadLine, ReaderStats
from logs.text_input import prepared
from logs.track import attach_positions

BATCH = 2000  # records per store call
CALL_OUTCOMES = {model.EV_CALL_RELEASED: "success", model.EV_CALL_FAILED: "failed",
                 model.EV_CALL_DROPPED: "dropped"}
HEADER_KEYS = ("format", "product", "device", "file_format", "utc_offset_min", "utc_offset_assumed",
               "events_path", "version")

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class ImportFailed(Exception):
    """Nothing was imported; ``result`` holds what the reader saw (bad lines...)."""

    def __init__(self, message: str, result: ImportResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class ImportCancelled(ImportFailed):
    pass


@dataclass
class ImportResult:
    path: str
    format: str
    session_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # per record kind: samples, events, positions | cells
    calls: dict[str, int] = field(default_factory=lambda: {"success": 0, "failed": 0, "dropped": 0})
    lines: int = 0
    skipped: int = 0  # lines that gave no record: unknown record types + bad lines
    unknown: dict[str, int] = field(default_factory=dict)
    bad_count: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)
    start_utc: float | None = None
    end_utc: float | None = None
    notes: list[str] = field(default_factory=list)  # things the user should know (assumed time zone...)
    # samples per technology of the serving cell ("GSM", "UMTS", "LTE"; "none": no serving cell)
    technologies: dict[str, int] = field(default_factory=dict)
    calls_known: bool = True  # False: the calls are in a companion file that was not there
    plan_version: int | None = None  # a cell file: the plan version it is now (sessions may be set to it)

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session_id, "format": self.format, "path": self.path,
            "counts": dict(self.counts), "calls": dict(self.calls) if self.calls_known else None,
            "technologies": dict(self.technologies), "skipped": self.skipped,
            "lines": self.lines, "unknown": dict(self.unknown), "bad_count": self.bad_count,
            "bad_lines": [{"line": b.line_no, "reason": b.reason, "text": b.text} for b in self.bad_lines],
            "start_utc": self.start_utc, "end_utc": self.end_utc, "notes": list(self.notes),
            **({"plan_version": self.plan_version} if self.session_id is None else {}),
        }

    def _take_stats(self, st: ReaderStats) -> None:
        self.lines = st.lines
        self.skipped = st.skipped
        self.unknown = dict(st.unknown)
        self.bad_count = st.bad_count
        self.bad_lines = list(st.bad_lines)


def _cancelled(cancel: threading.Event | Callable[[], bool] | None) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


def import_file(store: Any, path: str | Path, *, format: str | None = None,  # noqa: A002
                case_id: int | None = None, progress: Progress | None = None,
                cancel: threading.Event | Callable[[], bool] | None = None,
                track: str | Path | None = None, options: dict[str, Any] | None = None,
                batch: int = BATCH) -> ImportResult:
    """Import ``path`` (a log → a new session; a cell file → the workspace's cell plan).

    The import ends the store's write transaction (commit on success, rollback on failure):
    call it with nothing else pending on that Store (the CLI and ``ImportJob`` open their own).
    ``track``: an NMEA log whose fixes are joined to the log's samples by time.
    ``options``: reader options (``utc_offset_min``, ``date``). Raises ``UnknownFormat``,
    ``ImportFailed`` (nothing readable; nothing written) or ``ImportCancelled``.
    """
    p = Path(path)
    if not p.is_file():
        raise ImportFailed(f"{p}: no such file")
    if format is None:
        other = what_else(p)  # a data-test or statistics file, an AT transcript...
        if other is not None:
            raise ImportFailed(other)
    # Readers read UTF-8 with LF ends and bounded lines: a BOM, UTF-16, Latin-1 bytes, CR-only
    # ends or a megabyte line are dealt with once, here (logs.text_input, issue 16).
    try:
        # fewer_collections: an import makes no reference cycles (fieldapp/bulk_gc.py: ~10 %)
        with fewer_collections(), prepared(p) as (readable, notes):
            result = _import_prepared(store, readable, format=format, case_id=case_id, progress=progress,
                                      cancel=cancel, track=track, options=options, batch=batch,
                                      source_dir=p.parent)
    except OSError as exc:
        raise ImportFailed(f"{p.name}: cannot read it ({exc.strerror or exc})") from None
    except UnknownFormat:
        if format is None:
            _not_a_log_but_an_export(p)
        raise
    except ImportFailed as exc:
        if exc.result is not None:
            exc.result.path = str(p)
        raise
    result.path = str(p)
    result.notes[:0] = notes
    return result


def _not_a_log_but_an_export(p: Path) -> None:
    """An OSS counter export or alarm list given to `import` (trial 2026-12-06: "not a log or
    cell file format I know"): name the command that reads it. Returns when it is neither."""
    try:
        info = pick_reader(p, kinds=(STATS, ALARMS))
    except UnknownFormat:
        return
    what, command = (("an OSS alarm list", "alarms") if info.produces == ALARMS else ("an OSS counter export", "stats"))
    raise ImportFailed(f"{p.name} is {what}, not a drive log: import it into a case "
                       f"with `fieldapp {command} import {p.name} --case ID`")


def _import_prepared(store: Any, p: Path, *, format: str | None, case_id: int | None,  # noqa: A002
                     progress: Progress | None, cancel: threading.Event | Callable[[], bool] | None,
                     track: str | Path | None, options: dict[str, Any] | None, batch: int,
                     source_dir: Path | None = None) -> ImportResult:
    info = pick_reader(p, format)
    if info.produces == CELLS:
        return _import_cells(store, p, info)
    try:
        reader = info.open(p, **(options or {}))
    except TypeError as exc:
        raise ImportFailed(f"format {info.name} does not take those options ({exc})") from None
    except ValueError as exc:
        raise ImportFailed(str(exc)) from None
    records: Any = reader
    if track is not None:
        records = attach_positions(reader, NmeaLogReader(track))
    result = ImportResult(path=str(p), format=info.name)
    total = max(p.stat().st_size, 1)
    header = reader.header
    if source_dir is not None and p.parent != source_dir and header.get("events_path"):
        # The companion was read from the prepared copy (a temporary folder gone after the
        # import): the session names the user's own file beside the log.
        header = {**header, "events_path": str(source_dir / Path(header["events_path"]).name)}
    if header.get("utc_offset_assumed"):
        result.notes.append("the log's times carry no time zone; they were taken as UTC "
                            "(if the phone was on local time, import again giving its UTC offset: "
                            "--utc-offset MINUTES, or the window's import asks for it)")
    if info.name == "nemo" and header.get("utc_offset_min") is None:
        result.notes.append("the Nemo file has no #UT line; its times were taken as UTC")
    if info.name == "gnettrack" and "events_path" in header and header.get("events_path") is None:
        result.calls_known = False
        result.notes.append(f"no {p.stem}_events{p.suffix} next to the log: the calls are unknown "
                            "(they are in the events file), not 0")
    try:
        _stream(store, records, reader, result, header, case_id, batch, progress, cancel, total)
    except BaseException as exc:
        store.rollback()
        result._take_stats(reader.stats)
        if isinstance(exc, OverflowError):
            # A whole number beyond 64 bits in a plain column ("Python int too large to convert
            # to SQLite INTEGER"). The readers refuse such a field as a bad line and the samples'
            # query columns store NULL for it (tests/logs/test_import_number_too_large.py); this is
            # the last guard, for a reader that keeps one elsewhere: one line, not a traceback.
            raise ImportFailed(f"{p.name}: a number in the log is too large to store (beyond 64 bits, "
                               "e.g. a garbled cell id); nothing was imported", result) from None
        raise
    result._take_stats(reader.stats)
    _technology_notes(result, header)
    if progress is not None:
        progress(total, total)
    return result


def technologies_text(technologies: dict[str, int]) -> str:
    """"UMTS 4,021 samples, LTE 77" (largest first; samples without a serving cell last)."""
    parts = sorted(((t, n) for t, n in technologies.items() if t != "none"), key=lambda kv: -kv[1])
    text = ", ".join(f"{t} {n:,} samples" if i == 0 else f"{t} {n:,}" for i, (t, n) in enumerate(parts))
    if technologies.get("none"):
        text += ("; " if text else "") + f"{technologies['none']:,} without a serving cell"
    return text


def _technology_notes(result: ImportResult, header: dict[str, Any]) -> None:
    """Say what the file holds when it is not what a GSM tool expects, and name the records of
    a scanner file that are not read (nothing is imported as something it is not)."""
    tech = result.technologies
    if result.counts.get("samples") and not tech.get(model.GSM):
        result.notes.append(f"no GSM measurements in this file: {technologies_text(tech)}")
    unread = {k: n for k, n in result.unknown.items() if n}
    other_tech = {k: n for k, n in unread.items() if k.endswith("(technology not read)")}
    if other_tech:
        names = ", ".join(f"{k.split(' rows')[0]}: {n:,} row{'' if n == 1 else 's'}" for k, n in other_tech.items())
        result.notes.append(f"rows of a technology this app does not read were skipped ({names}); "
                            f"it reads {', '.join(model.TECHS)}. Their positions were imported")
    if header.get("device_type") == "scanner" and unread:
        names = ", ".join(f"{k} {n:,}" for k, n in sorted(unread.items(), key=lambda kv: -kv[1])[:6])
        result.notes.append(f"a scanner file: its scan records are not read ({names}); "
                            f"only its {result.counts.get('positions', 0):,} positions were imported")


def _stream(store: Any, records: Any, reader: Any, result: ImportResult, header: dict[str, Any],
            case_id: int | None, batch: int, progress: Progress | None, cancel: Any, total: int) -> None:
    """The records to the store ``batch`` at a time (after each full batch: cancel, progress).

    A batch is sorted by record type and counted as a whole (``_tally``): the per-record work
    is one list append, ~1/3 of what counting each record as it comes cost (issue 15)."""
    pending: dict[str, list[Any]] = {"samples": [], "events": [], "positions": [], "scans": []}
    put = {kind: pending[name].append for kind, name in _KIND.items()}
    adders = {"samples": store.add_samples, "events": store.add_events, "positions": store.add_positions,
              "scans": store.add_scans}
    counts = {"samples": 0, "events": 0, "positions": 0}  # "scans" appears when a file has some
    sid: int | None = None
    first_ts = last_ts = None
    n = 0
    records = iter(records)
    for chunk in iter(lambda: list(islice(records, batch)), []):
        for rec in chunk:
            put[type(rec)](rec)  # a record of an unknown type: KeyError
        n += len(chunk)
        if first_ts is None:
            first_ts = chunk[0].ts_utc
        last_ts = chunk[-1].ts_utc
        _tally(result, counts, pending)
        if len(chunk) == batch:  # a full batch (only the last one can be short)
            if _cancelled(cancel):
                raise ImportCancelled("import cancelled; nothing was written", result)
            sid = _flush(store, sid, pending, adders, header, first_ts, case_id, result)
            if progress is not None:
                progress(reader.stats.bytes_read, total)
    if _cancelled(cancel):
        raise ImportCancelled("import cancelled; nothing was written", result)
    if n == 0:
        result._take_stats(reader.stats)
        raise ImportFailed(f"{Path(result.path).name}: no record could be read "
                           f"({reader.stats.bad_count} bad lines); nothing was imported", result)
    sid = _flush(store, sid, pending, adders, header, first_ts, case_id, result)
    start = min(v for v in (header.get("start_utc"), first_ts) if v is not None)
    # Nemo's #STOP time, a native export's session end: the session may end after its last
    # record (the recorder stopped a moment later), and a re-import keeps that span.
    end = max(v for v in (header.get("stop_utc"), header.get("end_utc"), last_ts) if v is not None)
    store.set_session_span(sid, start, end)
    store.commit()
    result.session_id, result.counts = sid, counts
    result.start_utc, result.end_utc = start, end


_TECH, _SERVING = attrgetter("tech"), attrgetter("serving")


def _tally(result: ImportResult, counts: dict[str, int], pending: dict[str, list[Any]]) -> None:
    """Count the records not yet flushed: per kind, samples per technology of their serving cell
    ("none": no serving cell; in the order the technologies first appear), call outcomes."""
    for kind, items in pending.items():
        if items:
            counts[kind] = counts.get(kind, 0) + len(items)
    samples = pending["samples"]
    if samples:
        technologies = result.technologies
        no_serving = map(is_, map(_SERVING, samples), repeat(None))
        for (tech, alone), k in Counter(zip(map(_TECH, samples), no_serving)).items():
            key = "none" if alone or not tech else tech
            technologies[key] = technologies.get(key, 0) + k
    calls = result.calls
    for event in pending["events"]:
        outcome = CALL_OUTCOMES.get(event.kind)
        if outcome is not None:
            calls[outcome] += 1


def _flush(store: Any, sid: int | None, pending: dict[str, list[Any]], adders: dict[str, Any],
           header: dict[str, Any], first_ts: float | None, case_id: int | None, result: ImportResult) -> int:
    if sid is None:
        device = {k: header[k] for k in HEADER_KEYS if header.get(k) is not None}
        device["format"] = result.format
        start = header.get("start_utc") or first_ts
        sid = store.add_session(f"import:{Path(result.path).name}", start_utc=start, device=device,
                                case_id=case_id)
    for kind, items in pending.items():
        if items:
            adders[kind](sid, items)
            items.clear()
    return sid


def _import_cells(store: Any, path: Path, info: ReaderInfo) -> ImportResult:
    stats = ReaderStats()
    try:
        cells = info.open(path, stats=stats)
    except ValueError as exc:
        raise ImportFailed(f"{path.name}: {exc}") from None
    result = ImportResult(path=str(path), format=info.name)
    result._take_stats(stats)
    if not cells:
        raise ImportFailed(f"{path.name}: no cell could be read ({stats.bad_count} bad lines); "
                           "the cell plan was not changed", result)
    # The version is read in the load's own transaction: another program loading a plan just
    # after cannot hand its version to the sessions set to this file's (``import --for-session``).
    _adopted, result.plan_version = store.adopt_cell_plan(cells, path.name, lambda _current: True)
    result.counts = {"cells": len(cells), "trxs": sum(len(c.trxs) for c in cells)}
    return result


_KIND = {model.Sample: "samples", model.Event: "events", model.Position: "positions", model.Scan: "scans"}



class ImportJob:
    """A background import for the window: its own thread ("import") and its own Store (a
    SQLite connection belongs to one thread), a progress callback and cancel.

        job = ImportJob(workspace_path, file, on_progress=bar.update, on_done=finished)
        job.start(); ...; job.cancel(); job.join()

    ``on_progress(done_bytes, total_bytes)`` and ``on_done(result, error)`` are called from the
    import thread (hand them to the GUI thread through the bridge). ``error`` is None on
    success, else the exception (``ImportCancelled``, ``ImportFailed``, ``UnknownFormat``...).
    """

    def __init__(self, workspace: str | Path, path: str | Path, *, on_progress: Progress | None = None,
                 on_done: Callable[[ImportResult | None, BaseException | None], None] | None = None,
                 **kwargs: Any) -> None:
        self.workspace, self.path, self.kwargs = Path(workspace), Path(path), kwargs
        self.on_progress, self.on_done = on_progress, on_done
        self.result: ImportResult | None = None
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        from fieldapp.store import Store

        try:
            with Store.open(self.workspace) as store:
                self.result = import_file(store, self.path, progress=self.on_progress, cancel=self._cancel,
                                          **self.kwargs)
        except Exception as exc:  # reported to on_done: the thread must not die silently
            self.error = exc
        if self.on_done is not None:
            self.on_done(self.result, self.error)


__all__ = ["ImportCancelled", "ImportFailed", "ImportJob", "ImportResult", "UnknownFormat", "import_file"]
