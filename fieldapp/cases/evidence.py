"""Evidence of a case: sessions (live or imported), CQT runs, notes and files, each an
attachment row; a "before" and an "after" test of the same spot are marked with a role.

Files are copied into the workspace's attachments folder beside the database
(``<workspace stem>-attachments/case-<id>/``) with their sha256, so the case keeps its photos
and other tools' exports when the originals move, and the evidence pack can prove them
unchanged. A session recorded *into* the case (``sessions.case_id``) is evidence without an
attachment row; ``evidence()`` lists both.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from fieldapp.cases.validate import CaseInvalid
from fieldapp.cases.workflow import default_author, load
from fieldapp.export_csv import iso_utc
from fieldapp.safe_write import replacing
from fieldapp.store import Store, StoreError, UnknownSession

ROLES = ("before", "after")
KINDS = ("session", "cqt", "file", "note")


class EvidenceError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    attachment_id: int | None  # None: a session recorded into the case without an attachment row
    kind: str  # "session", "cqt", "file", "note"
    ref: str  # session id, CQT run id, file path relative to the workspace folder, "" for a note
    role: str | None
    label: str
    added_utc: float
    sha256: str | None = None

    @property
    def session_id(self) -> int | None:
        return int(self.ref) if self.kind == "session" else None


def attachments_dir(store: Store) -> Path:
    return store.path.with_name(store.path.stem + "-attachments")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _role(role: str | None) -> str | None:
    if role is None or role == "":
        return None
    text = role.strip().lower()
    if text not in ROLES:
        raise EvidenceError(f"role {role!r}: use before or after (or none)")
    return text


def _session_label(store: Store, session_id: int) -> str:
    info = store.session(session_id)
    if info is None:
        raise UnknownSession(session_id)
    return f"session {session_id}: {info.source}, {iso_utc(info.start_utc, 'seconds') or '?'}, {info.samples} samples"


def attach_session(store: Store, case_id: int, session_id: int, *, role: str | None = None,
                   author: str | None = None) -> int:
    """Attach a recorded or imported session; attaching it again only updates the role."""
    load(store, case_id)  # UnknownCase
    label = _session_label(store, session_id)  # UnknownSession
    for att in store.attachments(case_id):
        if att.kind == "session" and att.ref == str(session_id):
            if role is not None:
                mark(store, att.id, role, author=author)
            return att.id
    info = store.session(session_id)
    if info is not None and info.case_id is None:
        store.set_session_case(session_id, case_id)
    return store.attach(case_id, "session", str(session_id), role=_role(role), label=label,
                        author=author or default_author())


def attach_cqt(store: Store, case_id: int, run_id: int, *, author: str | None = None) -> int:
    """Attach a CQT run (kind "cqt", ref = the run id, as the CQT runner attaches its runs)."""
    load(store, case_id)
    reader = getattr(store, "cqt_run", None)
    if reader is not None and reader(run_id) is None:
        raise EvidenceError(f"no CQT run {run_id} in the workspace")
    for att in store.attachments(case_id):
        if att.kind == "cqt" and att.ref == str(run_id):
            return att.id
    return store.attach(case_id, "cqt", str(run_id), label=f"CQT run {run_id}", author=author or default_author())


def attach_file(store: Store, case_id: int, path: str | Path, *, role: str | None = None,
                author: str | None = None, label: str | None = None) -> int:
    """Copy a file (photo, screenshot, another tool's export) into the attachments folder."""
    load(store, case_id)
    src = Path(path)
    if not src.is_file():
        raise EvidenceError(f"file: {src} is not a readable file")
    digest = sha256_of(src)
    folder = attachments_dir(store) / f"case-{case_id}"
    dest = folder / f"{digest[:12]}-{src.name}"
    try:
        # 0700: the copies are the subscriber's photos and screenshots (personal data)
        folder.parent.mkdir(mode=0o700, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        if not dest.exists() or dest.is_symlink():
            # 0600: a photo or a screenshot of a subscriber's complaint is personal data
            with replacing(dest, mode=0o600) as partial:
                shutil.copyfile(src, partial)
    except OSError as exc:
        raise EvidenceError(f"file: cannot copy {src} into {folder}: {exc.strerror or exc}") from exc
    ref = dest.relative_to(store.path.parent).as_posix()
    return store.attach(case_id, "file", ref, role=_role(role), label=label or src.name, sha256=digest,
                        author=author or default_author())


def attach_note(store: Store, case_id: int, text: str, *, author: str | None = None) -> int:
    """A written piece of evidence ("BSC confirmed TRX-69-0 blocked at 14:02")."""
    load(store, case_id)
    if not text.strip():
        raise CaseInvalid("note", "empty note")
    return store.attach(case_id, "note", "", label=text.strip(), author=author or default_author())


def mark(store: Store, attachment_id: int, role: str | None, *, author: str | None = None) -> None:
    """Mark an attachment as the "before" or "after" test (None: neither)."""
    att = store.attachment(attachment_id)
    if att is None:
        raise StoreError(f"no attachment {attachment_id} in the workspace")
    new_role = _role(role)
    store.set_attachment_role(attachment_id, new_role)
    store.add_case_history(att.case_id, author or default_author(), "evidence",
                           text=f"{att.label or att.kind + ' ' + att.ref} marked {new_role or 'neither before nor after'}",
                           data={"attachment": attachment_id, "role": new_role})


def file_path(store: Store, item: EvidenceItem) -> Path:
    return store.path.parent / item.ref


def evidence(store: Store, case_id: int) -> list[EvidenceItem]:
    """Attachments plus sessions recorded into the case, oldest first."""
    load(store, case_id)
    items = [EvidenceItem(a.id, a.kind, a.ref, a.role, a.label or f"{a.kind} {a.ref}", a.added_utc, a.sha256)
             for a in store.attachments(case_id)]
    attached = {i.ref for i in items if i.kind == "session"}
    for info in store.sessions(case_id=case_id):
        if str(info.id) not in attached:
            items.append(EvidenceItem(None, "session", str(info.id), None, _session_label(store, info.id),
                                      info.start_utc))
    return sorted(items, key=lambda i: (i.added_utc, i.attachment_id or 0))


def session_ids(store: Store, case_id: int, role: str | None = "any") -> list[int]:
    """Session evidence of the case; ``role`` "before"/"after"/None filters, "any" keeps all."""
    return [int(i.ref) for i in evidence(store, case_id)
            if i.kind == "session" and (role == "any" or i.role == role)]


def cqt_run_ids(store: Store, case_id: int) -> list[int]:
    return [int(i.ref) for i in evidence(store, case_id) if i.kind == "cqt" and i.ref.isdigit()]
