"""JSON columns' text, as the engine writes it and a COPY must."""

from __future__ import annotations

import uuid
from datetime import date

from pbshared.platform.db import json_text


def test_json_is_compact_in_the_order_given_with_dates_and_ids_as_text() -> None:
    person = uuid.UUID("6f1c1d2e-0000-4000-8000-000000000001")
    value = {"b": 1, "a": [date(2026, 4, 6), person, None, True], "c": 'é "quoted"'}
    assert json_text(value) == (
        '{"b":1,"a":["2026-04-06","6f1c1d2e-0000-4000-8000-000000000001",null,true],"c":"é \\"quoted\\""}'
    )


def test_a_value_that_writes_its_own_json_is_written_by_it() -> None:
    class Prewritten:
        def json_text(self) -> str:
            return '{"made":"elsewhere"}'

    assert json_text(Prewritten()) == '{"made":"elsewhere"}'
    assert json_text([1]) == "[1]"  # everything else by pydantic-core
