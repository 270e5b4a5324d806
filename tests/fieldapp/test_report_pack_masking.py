"""Issue 13 §6: the pack's masking never damages data. A real recording with the simulator's GPS
(positions on every sample) is packed masked and unmasked; every session file re-imports to the
same samples and positions, only identities differ; the report rounds the spot's position."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from fieldapp.cases import evidence, workflow
from fieldapp.model import Event, Position, Sample
from fieldapp.report import write_pack
from fieldapp.report.mask import Masker
from fieldapp.store import Store
from logs.native import NativeReader
from tests.fieldapp.case_recordings import recorded

IMEI = "356938035643809"
FACTS = {"subscriber_name": "Anna Berger", "subscriber_number": "+43 660 1234567", "category": "weak signal",
         "called_number": "5551234",  # the number the test calls dialled: an identity in the events
         "address": "Spitalgasse 23", "floor": "4", "indoor_outdoor": "indoor", "imei": IMEI,
         "latitude": 48.196823, "longitude": 16.374771}


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("packs")
    ws, sid = recorded("tilt13-gps", tmp)
    with Store.open(ws) as store:
        case_id = workflow.create(store, FACTS, author="tester")
        evidence.attach_session(store, case_id, sid, author="tester")
        write_pack(store, case_id, tmp / "masked.zip")
        write_pack(store, case_id, tmp / "personal.zip", include_personal=True)
        case = workflow.load(store, case_id)
    return tmp, sid, case


def _records(zf: zipfile.ZipFile, name: str, tmp, tag: str) -> list:
    path = tmp / f"{tag}-{name.split('/')[-1]}"
    path.write_bytes(zf.read(name))
    reader = NativeReader(path)
    records = list(reader)
    assert reader.stats.bad_count == 0 and reader.trailer is not None  # every line valid, not truncated
    return records


def test_every_session_file_reimports_to_the_same_records(packs):
    tmp, sid, case = packs
    with zipfile.ZipFile(tmp / "masked.zip") as m, zipfile.ZipFile(tmp / "personal.zip") as p:
        native = f"sessions/session-{sid}.fieldapp.jsonl"
        masked, plain = _records(m, native, tmp, "m"), _records(p, native, tmp, "p")
        assert m.read(f"sessions/session-{sid}.csv") == p.read(f"sessions/session-{sid}.csv")
        masked_text = m.read(native).decode("utf-8")
        plain_text = p.read(native).decode("utf-8")
    samples = [r for r in plain if isinstance(r, Sample)]
    positions = [r for r in plain if isinstance(r, Position)]
    assert len(samples) > 10 and sum(s.position is not None for s in samples) > 10 and positions
    assert [r for r in masked if isinstance(r, Sample)] == samples  # levels, cells, positions: all equal
    assert [r for r in masked if isinstance(r, Position)] == positions
    ev_m = [r for r in masked if isinstance(r, Event)]
    ev_p = [r for r in plain if isinstance(r, Event)]
    assert [(e.ts_utc, e.kind) for e in ev_m] == [(e.ts_utc, e.kind) for e in ev_p]
    masker = Masker(case)
    assert [e.text for e in ev_m] == [masker.text(e.text) for e in ev_p]
    assert "5551234" in plain_text and "5551234" not in masked_text  # the dialled number is masked
    assert "48.****" not in masked_text and "****" in masked_text


def test_the_masked_report_rounds_the_spot_and_masks_a_private_address(packs):
    tmp, _sid, _case = packs
    with zipfile.ZipFile(tmp / "masked.zip") as m, zipfile.ZipFile(tmp / "personal.zip") as p:
        masked = " ".join((pg.extract_text() or "") for pg in PdfReader(io.BytesIO(m.read("report.pdf"))).pages)
        plain = " ".join((pg.extract_text() or "") for pg in PdfReader(io.BytesIO(p.read("report.pdf"))).pages)
        case_json = m.read("case.json").decode("utf-8")
    masked, plain = " ".join(masked.split()), " ".join(plain.split())
    assert "48.197, 16.375 (rounded to about 100 m)" in masked and "48.19682" not in masked
    assert "100 m))" not in masked  # the place and its position side by side, not nested brackets
    assert "Spitalgasse" not in masked and "Spitalgasse 23" in plain and "48.19682, 16.37477" in plain
    assert "Spitalgasse" not in case_json and '"latitude": 48.197' in case_json


def test_the_masked_map_puts_the_spot_on_the_rounded_position(packs):
    from types import SimpleNamespace

    from fieldapp.report.render import _spot

    _tmp, _sid, case = packs
    data = SimpleNamespace(case=case, sessions=[])  # what _spot reads of the report data
    assert _spot(data, masked=True) == (48.197, 16.375)
    assert _spot(data, masked=False) == (48.196823, 16.374771)
