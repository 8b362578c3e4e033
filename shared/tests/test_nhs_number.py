"""NHS number rule (docs/domain/identifiers.md): ten digits, the last a Modulus 11 check digit, shown 3-3-4."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from pbshared.identifiers.nhs_number import (
    InvalidNhsNumber,
    NhsNumber,
    format_nhs_number,
    normalise_nhs_number,
)


def check_digit(first_nine: str) -> int:
    """The NHS Data Dictionary's steps (docs/domain/identifiers.md), written apart from python-stdnum.

    10 means no valid number has these nine digits.
    """
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else check


class Person(BaseModel):
    nhs_number: NhsNumber


@pytest.mark.parametrize("number", ["9434765919", "9000000009"])
def test_valid_nhs_numbers_are_accepted(number: str) -> None:
    assert normalise_nhs_number(number) == number


@pytest.mark.parametrize("written", ["943 476 5919", "943-476-5919", " 9434765919 ", "943 476-5919"])
def test_nhs_number_written_with_spaces_or_hyphens_is_normalised_to_ten_digits(written: str) -> None:
    assert normalise_nhs_number(written) == "9434765919"


def test_nhs_number_with_separators_anywhere_is_accepted_as_python_stdnum_does() -> None:
    # Real behaviour: stdnum drops every space and hyphen, not only those in the 3-3-4 places.
    assert normalise_nhs_number("94347659 19") == "9434765919"


def test_nhs_number_with_wrong_check_digit_is_refused_with_the_modulus_11_message() -> None:
    with pytest.raises(InvalidNhsNumber, match=r"check digit is wrong \(Modulus 11\)"):
        normalise_nhs_number("9991234560")


@pytest.mark.parametrize("last", "0123456789")
def test_nhs_number_whose_computed_check_digit_is_10_is_invalid_whatever_its_last_digit(last: str) -> None:
    first_nine = "100000001"  # 1*10 + 1*2 = 12; 11 - 12 % 11 = 10
    assert check_digit(first_nine) == 10
    with pytest.raises(InvalidNhsNumber, match="Modulus 11"):
        normalise_nhs_number(first_nine + last)


@pytest.mark.parametrize("number", ["943476591", "94347659190", "9"])
def test_nhs_number_of_other_than_ten_digits_is_refused(number: str) -> None:
    with pytest.raises(InvalidNhsNumber, match="10 digits"):
        normalise_nhs_number(number)


@pytest.mark.parametrize("number", ["943476591A", "ABCDEFGHIJ", "943.476.5919", ""])
def test_nhs_number_with_letters_or_other_characters_is_refused(number: str) -> None:
    with pytest.raises(InvalidNhsNumber, match="only digits"):
        normalise_nhs_number(number)


def test_invalid_nhs_number_is_a_value_error_so_pydantic_reports_it() -> None:
    assert issubclass(InvalidNhsNumber, ValueError)


@pytest.mark.parametrize("number", ["9434765919", "943-476-5919", "943 476 5919"])
def test_nhs_number_is_displayed_as_3_3_4(number: str) -> None:
    assert format_nhs_number(number) == "943 476 5919"


def test_nhs_number_type_in_a_model_normalises_the_value() -> None:
    assert Person(nhs_number=" 943 476 5919 ").nhs_number == "9434765919"


def test_nhs_number_type_in_a_model_gives_a_validation_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        Person(nhs_number="9991234560")
    [error] = raised.value.errors()
    assert error["loc"] == ("nhs_number",)
    assert "Modulus 11" in error["msg"]


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(nine_digits)
def test_any_nine_digits_plus_their_check_digit_is_valid_unless_the_check_is_10(first_nine: str) -> None:
    check = check_digit(first_nine)
    if check == 10:
        for last in "0123456789":
            with pytest.raises(InvalidNhsNumber):
                normalise_nhs_number(first_nine + last)
    else:
        assert normalise_nhs_number(f"{first_nine}{check}") == f"{first_nine}{check}"


@given(
    nine_digits.filter(lambda nine: check_digit(nine) != 10),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_changing_any_one_digit_of_a_valid_nhs_number_makes_it_invalid(
    first_nine: str, position: int, shift: int
) -> None:
    valid = f"{first_nine}{check_digit(first_nine)}"
    digits = list(valid)
    digits[position] = str((int(digits[position]) + shift) % 10)
    with pytest.raises(InvalidNhsNumber, match="Modulus 11"):
        normalise_nhs_number("".join(digits))
