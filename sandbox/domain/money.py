"""Exact money: amounts are Decimal in major currency units, rounded half-up to pennies at the edges."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import MAX_EMAX, ROUND_HALF_UP, Context, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
GBP_CURRENCY_ID = 1


def to_money(value: object) -> Decimal:
    """Turn an input amount (int, float from JSON, str or Decimal) into pennies-exact Decimal.

    Floats go through ``str`` so that 10.1 stays 10.10 rather than 10.0999999...
    """
    if isinstance(value, bool):
        raise ValueError("an amount cannot be a boolean")
    if not isinstance(value, Decimal | int | float | str):
        raise ValueError(f"not an amount: {value!r}")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    # Precision enough for any finite amount: where the contract sets no maximum (a refund), a huge amount
    # is valid input and must reach the business rules rather than overflow the default 28 digits.
    exact = Context(prec=max(28, amount.adjusted() + 4), Emax=MAX_EMAX)
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP, context=exact)


def money_sum(amounts: Iterable[Decimal]) -> Decimal:
    """Sum Decimal amounts exactly, starting from 0.00 so an empty sum keeps two places."""
    total = ZERO
    for amount in amounts:
        total += amount
    return total
