"""A tiny HTML builder: every value is escaped unless it is already markup, so no page can be injected."""

from __future__ import annotations

import html
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from elevate_sandbox.domain.money import PENNY


class Html(str):
    """Markup that is safe to put in a page as it is (built only by this module's functions)."""

    __slots__ = ()


def escape(value: Any) -> Html:
    """A value as text in a page: markup passes through, everything else is escaped (quotes too)."""
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def render(template: str, **values: Any) -> Html:
    """Fill ``{name}`` fields of a trusted template with escaped values."""
    return Html(template.format(**{name: escape(value) for name, value in values.items()}))


def join(parts: Iterable[Any], separator: str = "") -> Html:
    """Concatenate escaped parts."""
    return Html(separator.join(escape(part) for part in parts))


def pounds(amount: Decimal) -> str:
    """An amount in pounds as a customer reads it: £1,234.50 (negative: -£12.00)."""
    amount = Decimal(amount).quantize(PENNY)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def details(rows: Iterable[tuple[str, Any]]) -> Html:
    """A definition list of label/value rows, skipping empty values."""
    items = [render("<dt>{label}</dt><dd>{value}</dd>", label=label, value=value) for label, value in rows if value]
    return render("<dl>{items}</dl>", items=join(items))


def button(label: str, action: str, kind: str = "primary") -> Html:
    """A submit button that posts ``action`` with its form."""
    return render(
        '<button type="submit" name="action" value="{action}" class="{kind}">{label}</button>',
        action=action,
        kind=kind,
        label=label,
    )


def form(action_url: str, buttons: Iterable[Html]) -> Html:
    """A form that posts to ``action_url`` (application/x-www-form-urlencoded, no script needed)."""
    return render(
        '<form method="post" action="{url}" class="actions">{buttons}</form>', url=action_url, buttons=join(buttons)
    )
