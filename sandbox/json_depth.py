"""How deep JSON text nests, measured without parsing it (parsers recurse; deep input must not reach them)."""

from __future__ import annotations

import re

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting_within(text: bytes, limit: int) -> bool:
    """Whether JSON text nests at most ``limit`` arrays/objects deep (malformed text is left to the parser).

    Strings are removed, then the innermost bracket pairs, once per level: each pass runs in C, so the check
    costs a few passes over the text instead of a recursive parse.
    """
    if text.count(b"[") + text.count(b"{") <= limit:
        return True  # no more opening brackets than the limit: it cannot nest deeper (most bodies)
    brackets = _STRINGS.sub(b"", text).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return True
        reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if reduced == brackets:  # unbalanced: not JSON at all, which the parser reports in its own words
            return True
        brackets = reduced
    return not brackets
