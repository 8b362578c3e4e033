"""NHS number: ten digits whose last is a Modulus 11 check digit (NHS Data Dictionary; docs/domain/identifiers.md).

python-stdnum implements the check; this wrapper gives us one place for the messages users see and
a pydantic type that normalises "943 476 5919" to "9434765919".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.gb import nhs


class InvalidNhsNumber(ValueError):
    pass


def normalise_nhs_number(raw: str) -> str:
    """Return the ten digits of a valid NHS number, or raise InvalidNhsNumber saying what is wrong."""
    try:
        return nhs.validate(raw)
    except InvalidLength:
        raise InvalidNhsNumber("an NHS number has 10 digits") from None
    except InvalidFormat:
        raise InvalidNhsNumber("an NHS number has only digits (spaces allowed as 3-3-4)") from None
    except InvalidChecksum:
        raise InvalidNhsNumber("the NHS number's check digit is wrong (Modulus 11)") from None
    except ValidationError as error:  # any other stdnum refusal
        raise InvalidNhsNumber(f"not a valid NHS number: {error}") from None


def format_nhs_number(number: str) -> str:
    """Display form, 3-3-4: 943 476 5919."""
    return nhs.format(number)


def _strip_if_str(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


NhsNumber = Annotated[str, BeforeValidator(_strip_if_str), AfterValidator(normalise_nhs_number)]
