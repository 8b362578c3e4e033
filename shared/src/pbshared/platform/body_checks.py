"""What no request may carry, whatever the route: text PostgreSQL cannot store or UTF-8 cannot
encode, and numbers that are not numbers. Each problem is named by where it is, never by its value.

Python's JSON reader accepts a lone UTF-16 surrogate (`"\\ud800"`), `NaN` and `Infinity`, and the
models let them through to the database; a stored lone surrogate breaks every later read of its row.
Checking here keeps every service and route safe from them; a body whose bytes cannot hold one
is not parsed here (FastAPI parses it for the route), the rest is parsed and walked.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pbshared.platform.errors import FieldProblem

Loc = list[str | int]


class _NonFinite:
    """Stands in for NaN, Infinity and -Infinity while the document is walked."""


_NON_FINITE = _NonFinite()

# What the parsed document could hold that the walk below refuses, looked for in the bytes: an escaped
# UTF-16 surrogate (the only way to a string UTF-8 cannot encode, once the bytes decode as UTF-8),
# NaN/Infinity, a float literal large enough to overflow (an exponent of three or more digits, or a
# run of 200 digits), and enough brackets to reach the parser's recursion limit. A body with none of
# these cannot have a problem, so it is not parsed here: FastAPI parses it once, for the route. The
# search is conservative (a match inside a string only costs the full check). It is made of quick
# searches: one regular expression of five alternatives, tried at every byte, took 50 us of a 2 KB
# body, a tenth of a scoring preview's CPU (bench/README.md, RAS); these take about 4 us.
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
# Numbers seen with every digit as 0 and every exponent mark as e: two patterns cover every form.
_AS_ZEROS = bytes.maketrans(b"123456789E", b"000000000e")
_LARGE_EXPONENT = re.compile(rb"e[+-]?000")
_LONG_DIGITS = b"0" * 200
_BRACKETS_NO_PARSER_REFUSES = 100


def query_problems(raw_path: bytes, query_string: bytes) -> list[FieldProblem]:
    if b"%00" in query_string or b"%00" in raw_path:
        return [FieldProblem(["query"], "may not contain the NUL character (%00)")]
    return []


def body_problems(body: bytes, content_type: str | None) -> list[FieldProblem]:
    """Problems of a request body: NUL anywhere; in a JSON body (FastAPI reads a body without a
    content type as JSON too), bytes that are not UTF-8, unencodable text and non-finite numbers."""
    if b"\\u0000" in body or b"\x00" in body:
        return [FieldProblem(["body"], "may not contain the NUL character (\\u0000)")]
    if not body or not _is_json(content_type):
        return []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return [FieldProblem(["body"], "must be UTF-8 text", "unicode_decode")]
    if not may_have_problems(body) and body.count(b"[") + body.count(b"{") < _BRACKETS_NO_PARSER_REFUSES:
        return []
    try:
        document = json.loads(text, parse_constant=lambda _name: _NON_FINITE)
    except RecursionError:
        return [FieldProblem(["body"], "is nested too deeply", "json_depth")]
    except ValueError:
        return []  # not JSON: the route's own validation names it
    return _document_problems(document)


def may_have_problems(body: bytes) -> bool:
    """Whether the bytes hold anything the walk refuses (an escaped surrogate, NaN, Infinity, a number
    large enough to overflow): True may be wrong, False never is."""
    # A single byte is found at memory speed: each longer search runs only where its first byte is.
    if (b"N" in body and b"NaN" in body) or (b"I" in body and b"Infinity" in body):
        return True
    if b"\\" in body and _SURROGATE.search(body) is not None:
        return True
    zeros = body.translate(_AS_ZEROS)
    return _LONG_DIGITS in zeros or _LARGE_EXPONENT.search(zeros) is not None


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return True
    media_type = content_type.split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _document_problems(document: Any) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    pending: list[tuple[Loc, Any]] = [(["body"], document)]  # a stack, not recursion: depth is the sender's
    while pending:
        loc, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not _encodable(key):
                    problems.append(FieldProblem(loc, "has a key that cannot be encoded as UTF-8", "string_unicode"))
                    continue
                pending.append(([*loc, key], item))
        elif isinstance(value, list):
            pending.extend(([*loc, index], item) for index, item in enumerate(value))
        elif isinstance(value, str) and not _encodable(value):
            problems.append(
                FieldProblem(loc, "must be text that can be encoded as UTF-8 (no lone surrogate)", "string_unicode")
            )
        elif value is _NON_FINITE or (isinstance(value, float) and not math.isfinite(value)):
            problems.append(FieldProblem(loc, "must be a finite number (not NaN or Infinity)", "finite_number"))
    return sorted(problems, key=lambda p: [str(part) for part in p.loc])


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
