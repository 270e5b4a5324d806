"""The evidence pack for the ticket system: one zip with the report (PDF and HTML), every
session of the case exported through the exporter registry (CSV and the native format), the
attached files, the case facts and history as JSON, and ``SHA256SUMS`` over all of it
(``sha256sum -c SHA256SUMS`` checks it after unzipping).

Without ``include_personal`` the subscriber's identity is masked in everything text-based the
pack holds (report, case JSON); attached binary files (photos) are packed as they are, named
without identity, and listed with their checksum.

Session files are masked record by record, never as text: in the native format only the header
(the device's IMEI/IMSI), events (a dialled number in an event text) and the derived call lines
can hold an identity; sample and position lines are copied byte for byte, and the CSV holds
samples only, so it is copied as it is. Every session file of a pack re-imports to the same
samples and positions as an unmasked export (a text-wide mask once turned every latitude into
``48.****`` and the files stopped being valid).
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path

from fieldapp.cases.evidence import evidence, file_path
from fieldapp.cases.model import Case
from fieldapp.exporters import EXPORTERS, export_session
from fieldapp.report.data import gather_report
from fieldapp.report.mask import Masker
from fieldapp.report.render import write_html, write_pdf
from fieldapp.safe_write import replacing
from fieldapp.store import Store

SESSION_FORMATS = (("csv", ".csv"), ("native", ".fieldapp.jsonl"))
IDENTITY_LINES = ("header", "event", "call")  # native line types that can carry an identity


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\]")


def pack_name(label: str) -> str:
    """A file name for the pack from an attachment's label: no control characters (a newline
    or CR in a name breaks `sha256sum -c SHA256SUMS`, issue 16), no path separators, no "..",
    at most 120 characters."""
    name = _UNSAFE_NAME.sub("_", label).strip().lstrip(".") or "file"
    return name[:120]


def masked_session_file(payload: bytes, suffix: str, masker: Masker) -> bytes:
    """A session export with the identities masked, every measurement and position unchanged."""
    if suffix != ".fieldapp.jsonl":
        return payload  # the CSV: samples only (cells, levels, positions), nothing personal
    out = []
    for line in payload.decode("utf-8").splitlines(keepends=True):
        body = line.rstrip("\n")
        try:
            obj = json.loads(body) if body.strip() else None
        except json.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict) or obj.get("type") not in IDENTITY_LINES:
            out.append(line)
            continue
        masked = masker.data(obj)
        if masked == obj:
            out.append(line)
        else:  # the writer's own encoding (logs/native.py): compact, UTF-8
            out.append(json.dumps(masked, ensure_ascii=False, separators=(",", ":")) + line[len(body):])
    return "".join(out).encode("utf-8")


def _case_json(case: Case, masker: Masker) -> dict:
    return {k: masker.field(k, v) for k, v in asdict(case).items()}


def write_pack(store: Store, case_id: int, out: str | Path, *, include_personal: bool = False) -> list[str]:
    """Write the zip; returns the names it holds (the manifest order)."""
    data = gather_report(store, case_id)
    masker = Masker(data.case, include_personal)
    out = Path(out)
    names: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fieldapp-pack-") as tmp_name:
        tmp = Path(tmp_name)
        files: list[tuple[str, Path]] = []
        write_pdf(data, tmp / "report.pdf", include_personal=include_personal)
        write_html(data, tmp / "report.html", include_personal=include_personal)
        files += [("report.pdf", tmp / "report.pdf"), ("report.html", tmp / "report.html")]
        for s in data.sessions:
            for fmt, suffix in SESSION_FORMATS:
                if fmt not in EXPORTERS:
                    continue
                target = tmp / f"session-{s.session_id}{suffix}"
                export_session(store, s.session_id, target, fmt)
                if not include_personal:
                    target.write_bytes(masked_session_file(target.read_bytes(), suffix, masker))
                files.append((f"sessions/{target.name}", target))
        for item in evidence(store, case_id):
            if item.kind == "file":
                src = file_path(store, item)
                if src.is_file():
                    files.append((f"files/{item.attachment_id}-{pack_name(masker.text(item.label))}", src))
        case_doc = {"case": _case_json(data.case, masker),
                    "history": [{"ts_utc": h.ts_utc, "author": h.author, "kind": h.kind, "from": h.from_status,
                                 "to": h.to_status, "text": masker.text(h.text)} for h in data.history],
                    "evidence": [{"kind": i.kind, "ref": masker.text(i.ref), "role": i.role,
                                  "label": masker.text(i.label), "sha256": i.sha256} for i in data.evidence],
                    "findings": [{"rule": f.rule, "title": f.title, "summary": masker.text(f.summary),
                                  "next_step": f.next_step, "cites": [masker.text(c.line()) for c in f.cites]}
                                 for f in data.findings],
                    "personal_data": "included" if include_personal else "masked"}
        (tmp / "case.json").write_text(json.dumps(case_doc, indent=2, ensure_ascii=False), encoding="utf-8")
        files.append(("case.json", tmp / "case.json"))
        sums = []
        out.parent.mkdir(parents=True, exist_ok=True)
        with replacing(out) as partial, zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for arcname, src in files:
                payload = src.read_bytes()
                zf.writestr(arcname, payload)
                sums.append(f"{hashlib.sha256(payload).hexdigest()}  {arcname}")
                names.append(arcname)
            zf.writestr("SHA256SUMS", "\n".join(sums) + "\n")
            names.append("SHA256SUMS")
    return names
