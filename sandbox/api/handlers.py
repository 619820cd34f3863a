"""Imports every handler module so that each registers its operations."""

from elevate_sandbox.api import (  # noqa: F401
    control,
    control_simulations,
    control_state,
    control_time,
    customers,
    dashboard,
    hosted,
    invoice_payments,
    links,
    mandates,
    outbound,
    payment_providers,
    refunds,
)
