"""A compiled jsonschema-rs check of a request schema, trusted only to say "valid".

jsonschema costs a create about 100 us under load; jsonschema-rs checks the same schema in under 1 us.
The sandbox's answers must stay jsonschema's, so the compiled check is only built for a schema where
it is as strict as jsonschema or stricter: then "valid" from it is "valid" from jsonschema, and on
"invalid" jsonschema decides and explains. Stricter is safe only where nothing inverts it, so a schema
is left to jsonschema alone (no compiled check) when it has:

- ``not`` or ``oneOf``: a branch that is stricter can turn "fails" into "passes";
- ``multipleOf`` or ``uniqueItems``: number and equality semantics differ;
- ``patternProperties``: which keys a pattern selects differs (``$`` before a trailing newline);
- a format jsonschema-rs may read more leniently (``date-time``, ``regex``, addresses, host names);
- a ``pattern`` with an escape or construct other than those listed below.

What is rewritten: OpenAPI's int32/int64 formats become bounds (jsonschema-rs checks formats on strings
only), and ``\\s`` in a pattern becomes the characters Python's ``re`` counts as whitespace (the
ECMA-262 ``\\s`` that jsonschema-rs reads also takes U+FEFF). ``\\w`` and ``\\d`` are ASCII there,
``$`` does not match before a trailing newline and formats such as ``date`` and ``uri`` are checked:
all stricter. tests/api/test_validation.py holds the compiled check to "never accepts what jsonschema
refuses" on generated values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema_rs

INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
UNSAFE_KEYWORDS = frozenset({"not", "oneOf", "multipleOf", "uniqueItems", "patternProperties"})
UNSAFE_FORMATS = frozenset({"date-time", "regex", "ipv4", "ipv6", "hostname", "idn-hostname", "idn-email"})
# Escapes a pattern may use: \w, \d (ASCII in jsonschema-rs: stricter), \s (rewritten) and escaped punctuation.
SAFE_ESCAPES = frozenset("wds\\/-.+*?()[]{}|^$")
# What Python's re counts as \s in a str pattern (tests/api/test_validation.py checks it against every code
# point; computing it here would cost every start-up most of a second).
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class NotCompilable(Exception):
    """The schema uses something the compiled check cannot be trusted with."""


def _pattern(pattern: str) -> str:
    """The pattern with each ``\\s`` spelled as Python's whitespace; NotCompilable for anything unsafe."""
    if "(?" in pattern:  # lookarounds, flags, named groups: left to jsonschema
        raise NotCompilable(pattern)
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1] if i + 1 < len(pattern) else ""
            if escaped not in SAFE_ESCAPES or not escaped:
                raise NotCompilable(pattern)
            if escaped == "s":
                out.append(PYTHON_WHITESPACE if in_class else f"[{PYTHON_WHITESPACE}]")
            else:
                out.append(char + escaped)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def for_compiled(schema: Any) -> Any:
    """A copy of ``schema`` the compiled check reads as strictly as jsonschema or more; NotCompilable."""
    if isinstance(schema, list):
        return [for_compiled(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if UNSAFE_KEYWORDS & schema.keys():
        raise NotCompilable(sorted(UNSAFE_KEYWORDS & schema.keys()))
    form = schema.get("format")
    if isinstance(form, str) and form in UNSAFE_FORMATS:
        raise NotCompilable(form)
    copied = {
        key: (_pattern(value) if key == "pattern" and isinstance(value, str) else for_compiled(value))
        for key, value in schema.items()
    }
    bounds = INTEGER_RANGES.get(form) if isinstance(form, str) else None
    if bounds is None:
        return copied
    return {"allOf": [copied, {"minimum": bounds[0], "maximum": bounds[1]}]}


def _refs(node: Any) -> set[str]:
    """Every ``$ref`` under ``node``."""
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
    return found.union(*(_refs(value) for value in node.values()))


def reachable(schema: Any) -> Any:
    """``schema`` with only the components its references reach.

    Connexion hands a body validator the operation's schema with the contract's whole ``components``
    beside it, for references; vetting every component would refuse a body for a ``oneOf`` it never uses.
    """
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), dict):
        return schema
    components = schema["components"]
    root = {key: value for key, value in schema.items() if key != "components"}
    kept: dict[str, dict[str, Any]] = {}
    pending = _refs(root)
    while pending:
        ref = pending.pop()
        parts = ref.split("/")
        if len(parts) != 4 or parts[:2] != ["#", "components"]:
            raise NotCompilable(ref)  # only #/components/<section>/<name> is followed here
        section, name = parts[2], parts[3]
        if name in kept.get(section, {}):
            continue
        try:
            target = components[section][name]
        except (KeyError, TypeError):
            raise NotCompilable(ref) from None
        kept.setdefault(section, {})[name] = target
        pending |= _refs(target)
    return {**root, "components": kept} if kept else root


def compiled_check(schema: Any) -> Callable[[Any], bool] | None:
    """The compiled ``is_valid`` of ``schema``, or None when it cannot be trusted (or built) for it."""
    try:
        is_valid = jsonschema_rs.Draft4Validator(
            for_compiled(reachable(schema)), validate_formats=True, ignore_unknown_formats=True
        ).is_valid
    except Exception:  # NotCompilable, or a schema jsonschema-rs cannot compile: jsonschema alone decides
        return None

    def check(value: Any) -> bool:
        try:
            return is_valid(value)
        except Exception:  # a value it cannot read (a lone surrogate, ...): jsonschema decides
            return False

    return check
