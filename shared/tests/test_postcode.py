"""UK postcodes: the six Royal Mail shapes, normalised to upper case with one space ("SK1 3XE")."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from pbshared.identifiers.postcode import Postcode, normalise_postcode


class Address(BaseModel):
    postcode: Postcode


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("sk13xe", "SK1 3XE"),
        ("SK1 3XE", "SK1 3XE"),
        ("  sk1   3xe  ", "SK1 3XE"),
        ("Sk1\t3xE", "SK1 3XE"),
        ("s k 1 3 x e", "SK1 3XE"),
    ],
)
def test_postcode_is_normalised_to_upper_case_with_one_space_before_the_inward_code(
    written: str, normalised: str
) -> None:
    assert normalise_postcode(written) == normalised


@pytest.mark.parametrize(
    ("shape", "postcode"),
    [
        ("A9 9AA", "M1 1AA"),
        ("A99 9AA", "M60 1NW"),
        ("AA9 9AA", "CR2 6XH"),
        ("AA99 9AA", "DN55 1PT"),
        ("A9A 9AA", "W1A 1HQ"),
        ("AA9A 9AA", "EC1A 1BB"),
    ],
)
def test_postcode_in_each_of_the_six_royal_mail_shapes_is_accepted(shape: str, postcode: str) -> None:
    assert normalise_postcode(postcode.replace(" ", "").lower()) == postcode


@pytest.mark.parametrize(
    "nonsense",
    ["", "HELLO", "12345", "SK1", "SK1 3X", "SK1 3XEE", "1SK 3XE", "SK1 XE3", "ABC1 3XE", "SK1-3XE"],
)
def test_postcode_that_is_not_a_royal_mail_shape_is_refused(nonsense: str) -> None:
    with pytest.raises(ValueError, match="not a UK postcode"):
        normalise_postcode(nonsense)


def test_postcode_type_in_a_model_normalises_and_names_the_field_when_refused() -> None:
    assert Address(postcode="sk13xe").postcode == "SK1 3XE"
    with pytest.raises(ValidationError) as raised:
        Address(postcode="HELLO")
    assert raised.value.errors()[0]["loc"] == ("postcode",)
