"""Imports every handler module so that each registers its operations."""

from sandbox.api import (  # noqa: F401
    control,
    customers,
    invoice_payments,
    links,
    mandates,
    outbound,
    payment_providers,
    refunds,
)
