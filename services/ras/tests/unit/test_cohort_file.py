"""Reading a cohort file line by line: what a spreadsheet writes is accepted, every bad line is
named by its line number, column and rule, and the file is refused as a whole."""

from __future__ import annotations

import pytest

from pbshared.contract.events.people import ClientGroup
from ras.domain.commissioning.calibration import CohortRow
from ras.domain.commissioning.cohort import MAX_PROBLEMS_LISTED, CohortReader
from ras.domain.problems import Refused


def read(lines: list[str]) -> list[CohortRow]:
    reader = CohortReader()
    rows = [row for line in lines if (row := reader.read(line)) is not None]
    reader.finish()
    return rows


def refusal(lines: list[str]) -> list[tuple[tuple, str]]:
    with pytest.raises(Refused) as refused:
        read(lines)
    return [(p.location, p.message) for p in refused.value.problems]


def test_a_spreadsheets_file_is_read_whatever_its_column_order_quoting_and_pound_signs() -> None:
    rows = read(
        [
            "\ufeffPoints,Actual_Weekly_Cost,Reference,Client_Group\r\n",
            "42,£218.4,x,older_people\r\n",
            "\r\n",
            '7,0,"C, 2",learning_disability\r\n',
        ]
    )
    assert rows == [
        CohortRow("x", ClientGroup.older_people, 42, 21840),
        CohortRow("C, 2", ClientGroup.learning_disability, 7, 0),
    ]


def test_each_bad_cell_is_named_by_line_and_column_and_never_quoted() -> None:
    problems = refusal(
        [
            "reference,client_group,points,actual_weekly_cost",
            "A,older_people,1.5,10.00",
            "B,older_people,3,-1.00",
            "C,older_people,3,1.001",
            "D,older_people,99999,1.00",
        ]
    )
    assert [location for location, _ in problems] == [
        ("line", 2, "points"),
        ("line", 3, "actual_weekly_cost"),
        ("line", 4, "actual_weekly_cost"),
        ("line", 5, "points"),
    ]
    assert not any("1.5" in message or "99999" in message for _, message in problems)


def test_a_very_bad_file_lists_the_first_problems_then_counts_the_rest() -> None:
    lines = ["reference,client_group,points,actual_weekly_cost"]
    lines += [f"R{i},nobody,1,1.00" for i in range(MAX_PROBLEMS_LISTED + 7)]
    problems = refusal(lines)
    assert len(problems) == MAX_PROBLEMS_LISTED + 1
    assert problems[-1] == (("file",), "has 7 more problems than are listed")


def test_a_line_that_is_not_csv_is_named() -> None:
    problems = refusal(["reference,client_group,points,actual_weekly_cost", 'A,older_people,1,1.00\rx"'])
    assert problems == [(("line", 2, "reference"), "cannot be read as CSV")]
