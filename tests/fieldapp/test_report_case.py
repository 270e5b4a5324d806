"""The case report and the evidence pack on a real case: the bus stop before and after the
tilt change (simulator recordings through the real driver). The PDF's text is read back with
pypdf: the key facts are there, the subscriber's identity is not unless asked for."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import pytest
from pypdf import PdfReader

from fieldapp.cases import evidence, workflow
from fieldapp.report import gather_report, write_pack, write_report
from fieldapp.store import Store
from tests.fieldapp.case_recordings import recorded

NAME, NUMBER, IMEI = "Anna Berger", "+43 660 1234567", "356938035643809"


def _case(store):
    case_id = workflow.create(store, {
        "subscriber_name": NAME, "subscriber_number": NUMBER, "category": "Weak signal",
        "description": "No signal at the hospital bus stop, the voice breaks up", "address": "Spitalgasse 23",
        "landmark": "hospital bus stop", "indoor_outdoor": "outdoor", "latitude": 48.19682, "longitude": 16.37477,
        "occurs": "always", "handset": "Nokia 105", "imei": IMEI, "priority": "high", "due_date": "2026-12-05",
        "engineer": "M. Huber", "cells": "HOSP-2"}, author="mhuber")
    evidence.attach_session(store, case_id, 1, role="before", author="mhuber")
    evidence.attach_session(store, case_id, 2, role="after", author="mhuber")
    evidence.attach_note(store, case_id, f"{NAME} ({NUMBER}, IMEI {IMEI}) asks for a call after 17 h")
    for to, facts in (("facts collected", {}), ("analysing", {}), ("field test", {}),
                      ("fix pending", {"cause": "HOSP-2 downtilt 13° aims short of the bus stop",
                                       "action": "antenna tilt/azimuth", "action_text": "HOSP-2 tilt 13° → 7°"}),
                      ("verifying", {}), ("called back", {"callback_result": "Subscriber confirms good signal"})):
        workflow.transition(store, case_id, to, author="mhuber", facts=facts)
    return case_id


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """(workspace, case id, {name: path}) with the masked and the personal PDF, the HTML, the pack."""
    tmp = tmp_path_factory.mktemp("report")
    ws, _ = recorded("bus-stop-before-after", tmp)
    out = {}
    with Store.open(ws) as store:
        case_id = _case(store)
        data = gather_report(store, case_id)
        out["pdf"] = write_report(data, tmp / "case.pdf")
        out["personal"] = write_report(data, tmp / "case-personal.pdf", include_personal=True)
        out["html"] = write_report(data, tmp / "case.html")
        out["pack"] = tmp / "case.zip"
        write_pack(store, case_id, out["pack"])
    return ws, case_id, out


def _text(path) -> str:
    reader = PdfReader(str(path))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_holds_the_key_facts_findings_and_outcome(reports):
    _ws, case_id, out = reports
    pdf = out["pdf"]
    assert pdf.read_bytes().startswith(b"%PDF") and len(PdfReader(str(pdf)).pages) >= 3
    text = _text(pdf)
    for expected in (f"Complaint case #{case_id}", "weak signal", "No signal at the hospital bus stop",
                     "Spitalgasse 23", "hospital bus stop", "Nokia 105", "2026-12-05", "M. Huber",
                     "Weak coverage at the spot", "HOSP-2", "500 m from the spot", "Next step",
                     "HOSP-2 downtilt 13° aims short of the bus stop", "antenna tilt/azimuth",
                     "Subscriber confirms good signal", "Before / after", "Call success", "Timeline",
                     "subscriber called back", "Route map"):
        assert expected in text, expected
    median = re.search(r"median level (-\d+) → (-\d+) dBm", text)
    assert median and int(median.group(2)) - int(median.group(1)) >= 5  # the tilt change helped


def test_the_subscriber_identity_is_masked_unless_asked_for(reports):
    _ws, _case_id, out = reports
    masked = _text(out["pdf"])
    for secret in (NAME, "Berger", "1234567", IMEI):
        assert secret not in masked, secret
    assert "A. B." in masked and "****567" in masked and "subscriber identity masked" in masked
    personal = _text(out["personal"])
    assert NAME in personal and NUMBER in personal and IMEI in personal
    assert "includes personal data" in personal
    html = out["html"].read_text(encoding="utf-8")
    assert NAME not in html and IMEI not in html and "1234567" not in html
    assert html.count("data:image/png;base64,") >= 3  # two sessions' plots, the map, before/after


def test_the_pack_holds_report_exports_and_checksums_with_identities_masked(reports):
    _ws, _case_id, out = reports
    with zipfile.ZipFile(out["pack"]) as zf:
        names = zf.namelist()
        assert {"report.pdf", "report.html", "case.json", "SHA256SUMS", "sessions/session-1.csv",
                "sessions/session-1.fieldapp.jsonl", "sessions/session-2.csv"} <= set(names)
        sums = dict(reversed(line.split("  ", 1)) for line in zf.read("SHA256SUMS").decode().splitlines())
        assert set(sums) == set(names) - {"SHA256SUMS"}
        for name, digest in sums.items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest, name
        everything = b"".join(zf.read(n) for n in names if not n.endswith(".pdf"))
        case = json.loads(zf.read("case.json"))
    assert b"Berger" not in everything and IMEI.encode() not in everything and b"1234567" not in everything
    assert case["personal_data"] == "masked" and case["case"]["subscriber_name"] == "A. B."
    assert [f["rule"] for f in case["findings"]] == ["weak_coverage"]


def test_a_report_needs_a_pdf_or_html_name(reports):
    ws, case_id, _out = reports
    with Store.open(ws) as store, pytest.raises(ValueError, match="use a .pdf or .html name"):
        write_report(gather_report(store, case_id), ws.with_suffix(".docx"))
