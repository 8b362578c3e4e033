"""The body check's search of the bytes may skip the parse only when the parse would find nothing."""

from __future__ import annotations

import json
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pbshared.platform import body_checks
from pbshared.platform.body_checks import body_problems


def _parsed_and_walked(body: bytes) -> list:
    """The check without the shortcut: what every body got before."""
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=lambda _name: body_checks._NON_FINITE)
    except RecursionError:
        return [body_checks.FieldProblem(["body"], "is nested too deeply", "json_depth")]
    except ValueError:
        return []
    return body_checks._document_problems(document)


HOSTILE = [
    b'{"a": "\\ud800"}',
    b'{"\\udfff": 1}',
    b'{"a": "\\uDBFF\\uDC00x\\uD800"}',
    b'{"a": NaN}',
    b'{"a": [1, -Infinity]}',
    b'{"a": 1e400}',
    b'{"a": 1E+0400}',
    b'{"a": ' + b"9" * 400 + b".5}",
    b"[" * 5000 + b"]" * 5000,
    b'{"a": "\\u00e9", "b": 1.5e10, "c": [1, 2.5]}',
]

# Text, sometimes with a lone surrogate (st.text never draws one).
_text = st.text() | st.builds(lambda a, b: a + "\ud800" + b, st.text(), st.text())
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)


def test_hostile_bodies_get_the_same_problems_as_before() -> None:
    for body in HOSTILE:
        assert body_problems(body, "application/json") == _parsed_and_walked(body), body[:40]
    assert body_problems(HOSTILE[0], "application/json")  # the shortcut does not hide a surrogate


@given(json_values)
def test_any_document_gets_the_same_problems_as_before(value: object) -> None:
    body = json.dumps(value).encode()  # Python writes NaN, Infinity and escaped lone surrogates
    assume(b"\\u0000" not in body)  # NUL is refused before either check
    assert body_problems(body, "application/json") == _parsed_and_walked(body)


# The search as one regular expression, as it was written first: the fixed-bytes searches that
# replaced it (50 times faster) must find the same bodies.
_ONE_EXPRESSION = re.compile(rb"\\u[dD][89a-fA-F]|NaN|Infinity|[eE][+-]?[0-9]{3}|[0-9]{200}")
_PIECES = st.sampled_from([b"\\u", b"\\", b"u", b"d", b"D", b"8", b"9", b"a", b"F", b"c", b"N", b"a", b"Infinity"])
_PIECES |= st.sampled_from([b"e", b"E", b"+", b"-", b"0", b"1", b"7", b"9" * 199, b'"', b"{", b" "])


@settings(max_examples=500)
@given(st.lists(_PIECES, max_size=30).map(b"".join))
def test_the_search_finds_what_the_one_expression_found(body: bytes) -> None:
    assert body_checks.may_have_problems(body) == (_ONE_EXPRESSION.search(body) is not None)
