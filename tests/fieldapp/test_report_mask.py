"""Masking of the subscriber's identity in report and pack texts: the name (whole words), the
numbers on the case in any spelling, any IMSI/IMEI-length digit run; other numbers untouched."""

from __future__ import annotations

import pytest

from fieldapp.cases.model import Case
from fieldapp.report.mask import Masker, mask_name, mask_number

CASE = Case(subscriber_name="Anna Berger", subscriber_number="+43 660 1234567", calling_number="0664 7654321",
            subscriber_contact="anna.b@example.org", imei="356938035643809")


@pytest.mark.parametrize("text, expected", [
    ("dialling +43 660 1234567", "dialling +** *** ****567"),
    ("from 06601234567 at 17 h", "from ********567 at 17 h"),
    ("calling +436647654321", "calling +*********321"),  # the national number's international form
    ("IMEI 35-693803-564380-9 on the box", "IMEI **-******-****80-9 on the box"),  # the case's, spelt apart
    ("a serial 35-693803-99 elsewhere", "a serial 35-693803-99 elsewhere"),
    ("IMEI 356938035643809, IMSI 232011234567890", "IMEI ************809, IMSI ************890"),
    ("Anna Berger called; Annaberg St. 3", "A. B. called; Annaberg St. 3"),
    ("write to anna.b@example.org", "write to (masked)"),
    ("ARFCN 66 at -85 dBm, test number 5551234, CI 12", "ARFCN 66 at -85 dBm, test number 5551234, CI 12"),
])
def test_identities_are_masked_in_free_text(text, expected):
    assert Masker(CASE).text(text) == expected


def test_fields_data_and_the_personal_switch():
    masker = Masker(CASE)
    assert masker.field("subscriber_name", "Anna Berger") == "A. B."
    assert masker.field("subscriber_number", CASE.subscriber_number) == "+** *** ****567"
    assert masker.field("subscriber_contact", CASE.subscriber_contact) == "(masked)"
    assert masker.field("handset", "Nokia 105") == "Nokia 105"
    assert masker.data({"device": {"imei": "86012345", "model": "EC21"}, "notes": ["Anna was there"]}) == {
        "device": {"imei": "*****345", "model": "EC21"}, "notes": ["A. was there"]}
    personal = Masker(CASE, include_personal=True)
    assert personal.text("Anna Berger, +43 660 1234567") == "Anna Berger, +43 660 1234567"
    assert personal.field("subscriber_name", "Anna Berger") == "Anna Berger"
    assert (mask_number("0660 12"), mask_name("Anna  Maria Berger")) == ("***0 12", "A. M. B.")


def test_the_local_form_of_a_known_number_is_masked_too():
    """The trial's CQT dialled "5550100" for the called number "+43 1 5550100": the local form
    (no area code) stayed in clear in the pack's session file."""
    masker = Masker(Case(subscriber_number="+43 660 1234567", called_number="+43 1 5550100"))
    assert "5550100" not in masker.text("dialling 5550100")
    assert "1234567" not in masker.text("from 1234567")
    # A short run that only happens to end like a number is not an identity.
    assert masker.text("cell 100, LAC 5550") == "cell 100, LAC 5550"
    assert masker.text("48.19682, 16.37477") == "48.19682, 16.37477"
