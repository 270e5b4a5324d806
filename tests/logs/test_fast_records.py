"""logs/fast_records.py builds the readers' Cells, Samples and Positions without the model's
constructors (speed, issue 15): the records must be the model's own, field for field."""

from __future__ import annotations

import dataclasses

import pytest

from fieldapp import model
from logs.fast_records import CELL_FIELDS, init_cell, new_cell, position, sample


def test_a_cell_built_field_by_field_is_the_models_cell():
    values = [f"v{i}" for i in range(len(CELL_FIELDS))]
    cell = new_cell(model.Cell)
    init_cell(cell, *values)
    assert cell == model.Cell(**dict(zip(CELL_FIELDS, values)))
    assert type(cell) is model.Cell


def test_sample_and_position_are_the_models_frozen_records():
    serving = model.Cell(tech=model.UMTS, pci=303, rscp_dbm=-67.5)
    pos = position(1.5, 12.6, 101.2, 10.0, 2.5, 1.1, 9, 1)
    assert pos == model.Position(1.5, 12.6, 101.2, 10.0, 2.5, None, 1.1, 9, 1)
    assert position(1.5, 12.6, 101.2, None, None) == model.Position(1.5, 12.6, 101.2)
    s = sample(1.5, model.UMTS, serving, (serving,), pos, model.IDLE)
    expected = model.Sample(1.5, model.UMTS, serving, (serving,), None, None, pos, model.IDLE)
    assert s == expected and repr(s) == repr(expected) and type(s) is model.Sample
    assert hash(pos) == hash(model.Position(1.5, 12.6, 101.2, 10.0, 2.5, None, 1.1, 9, 1))
    assert (s.rxlev_dbm, s.level_source) == (-67.5, "serving")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.tech = model.GSM  # type: ignore[misc]
