"""UK postcodes, normalised to upper case with one space before the inward code ("SK1 3XE")."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# The shapes Royal Mail issues (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(raw: str) -> str:
    compact = re.sub(r"\s+", "", raw.upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise ValueError("not a UK postcode (for example SK1 3XE)")
    return f"{match.group(1)} {match.group(2)}"


Postcode = Annotated[str, AfterValidator(normalise_postcode)]
