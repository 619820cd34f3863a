"""How deep JSON nests, measured without parsing (sandbox/json_depth.py)."""

from __future__ import annotations

import pytest

from elevate_sandbox.json_depth import nesting_within


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("text", "limit", "within"),
    [
        (b'{"a": [1, 2]}', 2, True),  # few brackets: the count alone decides
        (nested(5), 5, True),
        (nested(6), 5, False),
        (b"[" + b"[]," * 50 + b"[]]", 2, True),  # many brackets, but only two deep
        (b'[["[[[[[[[[["]]', 2, True),  # brackets inside strings do not nest
        (b'[[[[[[["\\""]]]]]]]', 3, False),  # an escaped quote does not end the string early
        (b"[[[[[[[[", 3, True),  # unbalanced: left to the parser, which says what is wrong
    ],
)
def test_nesting_within(text: bytes, limit: int, within: bool) -> None:
    assert nesting_within(text, limit) is within
