"""The case model: validation messages that name the field, the procedure's categories in any
case, and the round trip of every field through a real workspace."""

from __future__ import annotations

import dataclasses

import pytest

from fieldapp.cases import workflow
from fieldapp.cases.fields_doc import fields_markdown
from fieldapp.cases.model import CATEGORIES, FIELDS, Case, category_named
from fieldapp.cases.validate import CaseInvalid, clean_value, new_case, problems
from fieldapp.store import Store

FULL = {
    "subscriber_name": "Anna Berger", "subscriber_contact": "anna@example.org, evenings",
    "subscriber_number": "+43 660 1234567", "calling_number": "0660 1234567", "called_number": "+43 1 5050",
    "imsi": "232 01 1234567890", "category": "Cannot call despite signal (ACCESS FAILURE)",
    "description": "Full bars but calls fail near the bridge", "address": "Brückenstraße 1", "landmark": "bridge",
    "indoor_outdoor": "Outdoor", "floor": "", "latitude": "48.222947", "longitude": 16.353097,
    "since": "2026-11-02", "hours": "since 14 h", "occurs": "every call", "handset": "Samsung Galaxy A12",
    "imei": "35-693803-564380-9", "other_handsets_ok": "no", "other_info": "a market on Saturdays",
    "title": "Calls fail at the bridge", "priority": "High", "due_date": "2026-12-01", "engineer": "M. Huber",
    "cells": "BRIDGE-1, BRIDGE-2", "cause": "BCCH TRX of BRIDGE-1 hung", "action": "TRX block or replacement",
    "action_text": "blocked and de-blocked TRX-51-0", "callback_result": "works again",
}


@pytest.mark.parametrize("text", ["weak signal", "WEAK SIGNAL", " Weak  Signal "])
def test_categories_match_case_insensitively(text):
    assert category_named(text) == "weak signal"


@pytest.mark.parametrize("text, expected", [
    ("one-way audio", "one-way audio"), ("One Way Audio", "one-way audio"),
    ("choppy/broken voice", "choppy / broken voice"), ("access failure", "cannot call despite signal (access failure)"),
    ("Packet data (gprs) not working", "packet data (GPRS) not working"),
    ("subscriber not reachable / not in service area", "subscriber not reachable / not in service area"),
])
def test_categories_as_domain_writes_them_and_short_forms(text, expected):
    assert category_named(text) == expected
    assert expected in CATEGORIES


def test_the_default_title_keeps_the_category_as_written():
    # Trial 2026-12-06: `case list` showed "Packet data (gprs) not working — east station".
    case = Case(subscriber_number="1234", category="packet data (GPRS) not working", landmark="east station")
    assert case.display_title() == "Packet data (GPRS) not working — east station"
    assert Case(subscriber_number="1234", category="weak signal").display_title() == "Weak signal"


@pytest.mark.parametrize("field, value, words", [
    ("subscriber_number", "call me maybe", "is not a phone number"),
    ("subscriber_number", "12", "3 to 15 expected"),
    ("called_number", "+43 660 1234567890123", "3 to 15 expected"),
    ("calling_number", "++43 660", "is not a phone number"),
    ("latitude", "91", "off the globe"),
    ("latitude", "north", "is not a number"),
    ("longitude", -180.5, "off the globe"),
    ("longitude", "nan", "off the globe"),
    ("category", "bad weather", "is not a complaint category"),
    ("due_date", "31.12.2026", "is not a date (YYYY-MM-DD)"),
    ("priority", "asap", "is not one of: low, normal, high, urgent"),
    ("other_handsets_ok", "maybe", "is not yes or no"),
    ("imei", "123", "is not an IMEI"),
    ("colour", "red", "unknown field"),
])
def test_bad_values_are_refused_with_a_message_naming_the_field(field, value, words):
    with pytest.raises(CaseInvalid) as err:
        clean_value(field, value)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ") and words in str(err.value)


def test_required_facts_and_half_positions_are_reported_together():
    found = problems({"description": "no bars", "latitude": 48.2})
    assert [(p.field, p.message.split(":")[0]) for p in found] == [
        ("subscriber_number", "missing"), ("category", "missing"), ("longitude", "a map position needs both "
                                                                    "latitude and longitude")]
    with pytest.raises(CaseInvalid, match="^subscriber_number: missing"):
        new_case({"category": "echo"})


def test_cleaning_gives_typed_values():
    case = new_case(FULL)
    assert case.category == "cannot call despite signal (access failure)"
    assert (case.latitude, case.longitude) == (48.222947, 16.353097)
    assert case.occurs == "always" and case.indoor_outdoor == "outdoor" and case.priority == "high"
    assert case.imsi == "232011234567890" and case.imei == "356938035643809"
    assert case.other_handsets_ok is False and case.cells == ("BRIDGE-1", "BRIDGE-2")
    assert case.floor is None  # empty is unknown
    assert case.missing_intake() == []
    assert Case(subscriber_number="1234").missing_intake() == [
        "subscriber_name", "category", "description", "place (address, landmark or latitude/longitude)",
        "occurs", "handset"]


def test_a_case_round_trips_through_the_workspace(tmp_path):
    original = new_case(FULL)
    with Store.open(tmp_path / "ws.db") as store:
        case_id = workflow.create(store, FULL, author="mhuber")
    with Store.open(tmp_path / "ws.db") as store:  # a fresh connection reads what was committed
        back = workflow.load(store, case_id)
        row = store.get_case(case_id)
    assert back.id == case_id and back.status == "new" and back.created_utc is not None
    for f in dataclasses.fields(Case):
        if f.name not in ("id", "status", "created_utc", "updated_utc"):
            assert getattr(back, f.name) == getattr(original, f.name), f.name
    # the list columns are real columns
    assert (row["priority"], row["due_date"], row["engineer"], row["title"]) == (
        "high", "2026-12-01", "M. Huber", "Calls fail at the bridge")


def test_cases_filter_by_status_category_due_date_and_text(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        a = workflow.create(store, {"subscriber_number": "0660 1", "category": "echo", "due_date": "2026-12-01",
                                    "landmark": "town hall"})
        b = workflow.create(store, {"subscriber_number": "0660 2", "category": "weak signal",
                                    "due_date": "2026-12-20", "description": "no bars in the Bakery"})
        workflow.create(store, {"subscriber_number": "0660 3", "category": "weak signal"})
        store.update_case(a, status="analysing")

        def ids(**kw):
            return [c["id"] for c in store.cases(**kw)]
        assert ids(statuses=("analysing",)) == [a]
        assert ids(category="WEAK SIGNAL")[:1] == [b]
        assert ids(due_before="2026-12-10") == [a]
        assert ids(text="bakery") == [b] and ids(text="town HALL") == [a]
        assert ids(text="100%_") == []  # the user's text is not a LIKE pattern
        workflow.edit(store, b, {"address": "Brückenstraße 1"})
        assert ids(text="BRÜCKEN") == [b]


def test_the_field_documentation_is_in_step_with_the_table():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "case-fields.md").read_text(encoding="utf-8")
    assert doc == fields_markdown(), "regenerate: python -m fieldapp.cases.fields_doc > docs/case-fields.md"
    for spec in FIELDS:
        assert f"`{spec.name}`" in doc


def test_how_often_takes_the_procedures_words_or_the_subscribers():
    assert clean_value("occurs", "Every call") == "always"
    assert clean_value("occurs", "SOMETIMES") == "sometimes"
    assert clean_value("occurs", "  twice a week,  evenings ") == "twice a week, evenings"
    with pytest.raises(CaseInvalid, match="^occurs: longer than 200"):
        clean_value("occurs", "x" * 201)
