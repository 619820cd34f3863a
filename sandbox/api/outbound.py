"""outbound-payments (1.39): GoCardless payouts, created, read and changed by JSON Patch."""

from __future__ import annotations

from elevate_sandbox.api.common import create_one, patch_one, read_one, strict_inferred
from elevate_sandbox.domain.backend import Backend
from elevate_sandbox.domain.inputs import NewOutboundPayment

# The execution date is read before the amount: the first bad value answers. Created is 200 here, as documented.
create_one(
    "createOutboundPayment",
    Backend.create_outbound_payment,
    NewOutboundPayment,
    {
        "executionDate": "execution_date",
        "customerId": "customer_id",
        "amountInMajorCurrency": "amount",
        "reference": "reference",
        "description": "description",
        "useCustomerCreditBalance": "use_customer_credit_balance",
        "thirdPartyOutboundPaymentStatus": "status",
    },
    200,
    strict=True,
)
read_one("getOutboundPayment", "outbound_payment_id", Backend.get_outbound_payment)


patch_one(
    "updateOutboundPayment",
    "outbound_payment_id",
    "OutboundPayment",
    lambda b, record_id, patch, check: b.update_outbound_payment(record_id, patch, check, strict=strict_inferred()),
)
