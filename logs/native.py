"""The app's own open session format (``.fieldapp.jsonl``): writer and reader.

JSON Lines, UTF-8, one record per line, documented in ``logs/FORMAT.md``::

    {"type": "header", "format": "fieldapp-session", "version": "1.0", "source": "...", ...}
    {"type": "sample", "ts_utc": 1535274118.567, "tech": "UMTS", "serving": {...}, "neighbours": [...]}
    {"type": "event", "ts_utc": 1535274124.424, "kind": "call_attempt", "text": "...", "data": {...}}
    {"type": "position", "ts_utc": 1535274118.768, "lat": 12.659348, "lon": 101.267143, ...}
    {"type": "scan", "start_utc": ..., "end_utc": ..., "band": "GSM900", "carriers": [{...}, ...]}   (1.1)
    {"type": "call", ...}            derived call summaries (for other tools; ignored on import)
    {"type": "end", "counts": {"samples": 314, "events": 18, "positions": 157}}

Every model field is written under its own name; ``None`` fields are left out (absent means
unknown). Floats are written with ``repr`` precision, so export → import gives equal records.
A reader accepts files of the same major version and ignores fields and line types it does
not know (counted as unknown); a newer major version is refused with a clear message.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from fieldapp import model
from logs.registry import TIMELINE, ReaderInfo, head_text, register
from logs.stats import ReaderStats

FORMAT_NAME = "fieldapp-session"
FORMAT_VERSION = "1.1"  # 1.1: "scan" lines (band scans); a 1.0 reader skips them as unknown
SUFFIX = ".fieldapp.jsonl"
CALL_END_KINDS = {model.EV_CALL_RELEASED: "success", model.EV_CALL_FAILED: "failed",
                  model.EV_CALL_DROPPED: "dropped"}


# ---------------------------------------------------------------- encoding
def _enc(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if v is not None and not (isinstance(v, (tuple, dict)) and not v):  # () and {} are the defaults
                out[f.name] = _enc(v)
        return out
    if isinstance(value, (tuple, list)):
        return [_enc(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _enc(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def encode(record: model.Record) -> dict[str, Any]:
    """A timeline record → the JSON object of its line."""
    kind = _TYPE_OF[type(record)]
    return {"type": kind, **_enc(record)}


def _build(cls: type, obj: dict[str, Any], nested: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for k, v in obj.items():
        if k not in names:
            continue  # a field from a newer minor version
        conv = nested.get(k)
        kwargs[k] = conv(v) if conv is not None and v is not None else v
    return cls(**kwargs)


def _channel(obj: dict[str, Any]) -> model.Channel:
    return _build(model.Channel, obj, {})


def _cell(obj: dict[str, Any]) -> model.Cell:
    return _build(model.Cell, obj, {"channel": _channel})


_SAMPLE_NESTED = {
    "serving": _cell,
    "neighbours": lambda cells: tuple(_cell(c) for c in cells),
    "signal": lambda o: _build(model.Signal, o, {}),
    "registration": lambda o: _build(model.Registration, o, {}),
    "position": lambda o: _build(model.Position, o, {}),
}


def decode(obj: dict[str, Any]) -> model.Record | None:
    """A line's JSON object → a record; None for line types that are not records."""
    kind = obj.get("type")
    if kind == "sample":
        return _build(model.Sample, obj, _SAMPLE_NESTED)
    if kind == "event":
        return _build(model.Event, obj, {})
    if kind == "position":
        return _build(model.Position, obj, {})
    if kind == "scan":
        return _build(model.Scan, obj, _SCAN_NESTED)
    return None


_SCAN_NESTED = {
    "carriers": lambda items: tuple(_build(model.ScanCarrier, c, {}) for c in items),
    "position": lambda o: _build(model.Position, o, {}),
}
_TYPE_OF = {model.Sample: "sample", model.Event: "event", model.Position: "position", model.Scan: "scan"}


# ---------------------------------------------------------------- writer
class NativeWriter:
    """Write a session: header first, then records in time order, call summaries, trailer."""

    def __init__(self, out: IO[str], header: dict[str, Any]) -> None:
        self.out = out
        self.counts = {"samples": 0, "events": 0, "positions": 0}
        self._calls: list[dict[str, Any]] = []
        self._open: dict[str, dict[str, Any]] = {}
        head = {"type": "header", "format": FORMAT_NAME, "version": FORMAT_VERSION}
        head.update({k: _enc(v) for k, v in header.items() if k not in head})
        self._line(head)

    def _line(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        self.out.write("\n")

    def write(self, record: model.Record) -> None:
        obj = encode(record)
        self._line(obj)
        key = obj["type"] + "s"
        self.counts[key] = self.counts.get(key, 0) + 1
        if isinstance(record, model.Event):
            self._track_call(record)

    def _track_call(self, ev: model.Event) -> None:
        """Summarise calls from their events (keyed by ``data["call_id"]``)."""
        call_id = ev.data.get("call_id") if isinstance(ev.data, dict) else None
        if call_id is None:
            return
        if ev.kind == model.EV_CALL_ATTEMPT:
            entry = {"type": "call", "call_id": call_id, "start_utc": ev.ts_utc,
                     "number": ev.data.get("number"), "outcome": "incomplete"}
            self._calls.append(entry)
            self._open[str(call_id)] = entry
            return
        entry = self._open.get(str(call_id))
        if entry is None:
            return
        if ev.kind == model.EV_CALL_CONNECTED:
            entry["connected_utc"] = ev.ts_utc
        elif ev.kind in CALL_END_KINDS:
            entry.update(end_utc=ev.ts_utc, outcome=CALL_END_KINDS[ev.kind], cause=ev.data.get("cause"))
            del self._open[str(call_id)]

    def close(self) -> dict[str, int]:
        for entry in self._calls:
            self._line({k: v for k, v in entry.items() if v is not None})
        self._line({"type": "end", "counts": self.counts})
        self.out.flush()
        return dict(self.counts)


def write_session(path: str | Path, header: dict[str, Any], records: Iterable[model.Record]) -> dict[str, int]:
    """Write a whole session file; returns the counts per record kind."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        writer = NativeWriter(f, header)
        for rec in records:
            writer.write(rec)
        return writer.close()


# ---------------------------------------------------------------- reader
class NativeFormatError(ValueError):
    pass


class NativeReader:
    name = "native"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.stats = ReaderStats()
        self.header: dict[str, Any] = self._read_header()
        self.trailer: dict[str, Any] | None = None

    def _read_header(self) -> dict[str, Any]:
        with open(self.path, "rb") as f:
            first = f.readline()
        try:
            head = json.loads(first)
        except ValueError:
            raise NativeFormatError(f"{self.path.name}: the first line is not a fieldapp header") from None
        if not isinstance(head, dict) or head.get("format") != FORMAT_NAME:
            raise NativeFormatError(f"{self.path.name}: not a {FORMAT_NAME} file")
        major = str(head.get("version", "")).split(".")[0]
        if major != FORMAT_VERSION.split(".")[0]:
            raise NativeFormatError(f"{self.path.name}: format version {head.get('version')} is not "
                                    f"supported (this fieldapp reads {FORMAT_VERSION.split('.')[0]}.x)")
        head = {k: v for k, v in head.items() if k != "type"}
        head.setdefault("source", "native")
        head["path"] = str(self.path)
        return head

    def __iter__(self) -> Iterator[model.Record]:
        st = self.stats
        with open(self.path, "rb") as f:
            for line_no, raw in enumerate(f, 1):
                st.lines = line_no
                st.bytes_read += len(raw)
                if line_no == 1 or not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                    if not isinstance(obj, dict):
                        raise ValueError("not an object")
                    rec = decode(obj)
                except (ValueError, TypeError, KeyError) as exc:
                    st.bad(line_no, f"bad record: {exc}", raw.decode("utf-8", "replace"))
                    continue
                if rec is None:
                    kind = obj.get("type")
                    if kind == "end":
                        self.trailer = obj
                    elif kind != "call":
                        st.unknown[str(kind)] += 1
                    continue
                st.records[_TYPE_OF[type(rec)] + "s"] += 1
                yield rec
        if self.trailer is None:
            st.bad(st.lines, "no end line: the file is truncated", "")


def can_read(path: Path) -> bool:
    head = head_text(path, 512).lstrip()
    return head.startswith("{") and f'"format":"{FORMAT_NAME}"' in head.replace(" ", "")


register(ReaderInfo("native", "fieldapp session export (.fieldapp.jsonl, see logs/FORMAT.md)", TIMELINE,
                    can_read, NativeReader, priority=100))
