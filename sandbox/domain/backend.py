"""The domain's one entry point: a method per Elevate action, each delegating to the module with its rules.

Every method checks everything before it changes anything (and issues ids only then), so a refused call
leaves the tenant's state exactly as it was. Not thread-safe by itself: the store serialises calls.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from elevate_sandbox.clock import Clock
from elevate_sandbox.domain import (
    accounts,
    customers,
    links,
    mandates,
    outbound,
    payments,
    progression,
    providers,
    refunds,
)
from elevate_sandbox.domain.context import Context, Index
from elevate_sandbox.domain.enums import (
    BillRunType,
    MandateStatus,
    PaymentMethod,
    PaymentProviderStatus,
    ThirdPartyOutboundPaymentStatus,
    ThirdPartyPaymentStatus,
    ThirdPartyRefundStatus,
)
from elevate_sandbox.domain.lookups import get_or_404
from elevate_sandbox.domain.models import (
    BalanceAdjustment,
    ContractOwner,
    Customer,
    CustomerPayment,
    InstantBankPayment,
    Invoice,
    InvoicePayment,
    OutboundPayment,
    PaymentLink,
    PaymentProvider,
    ProviderMandate,
    Refund,
    Site,
    SitePaymentMandate,
)
from elevate_sandbox.domain.money import ZERO
from elevate_sandbox.domain.revisions import counts_changes
from elevate_sandbox.domain.state import TenantState
from elevate_sandbox.domain.timetable import Kind, Progression


@counts_changes
class Backend:
    """One tenant's state and the rules that change it."""

    def __init__(
        self,
        state: TenantState,
        clock: Clock,
        rng: random.Random,
        public_base_url: str = "http://127.0.0.1:8080",
        tenant: str | None = None,
        page_secret: bytes | None = None,
    ) -> None:
        self._ctx = Context(
            state, clock, rng, public_base_url.rstrip("/"), Index.build(state), tenant, page_secret=page_secret
        )

    @property
    def state(self) -> TenantState:
        return self._ctx.state

    @state.setter
    def state(self, state: TenantState) -> None:
        # A restored snapshot brings its own records: derive the lookups from them again.
        self._ctx.state, self._ctx.index = state, Index.build(state)

    @property
    def clock(self) -> Clock:
        return self._ctx.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._ctx.clock = clock

    @property
    def rng(self) -> random.Random:
        return self._ctx.rng

    @property
    def index(self) -> Index:
        """The lookups the rules keep in step (read-only for callers: lists use them to avoid scans)."""
        return self._ctx.index

    @property
    def revision(self) -> int:
        """A number that every call that may change records moves on (revisions.py): caches compare it."""
        return self._ctx.revision

    @property
    def public_base_url(self) -> str:
        return self._ctx.public_base_url

    @property
    def progression(self) -> Progression:
        """Progression policy per kind, epoch and magic values (timetable.py)."""
        return self._ctx.progression

    @progression.setter
    def progression(self, settings: Progression) -> None:
        self._ctx.progression = settings

    def run_due_progressions(self) -> list[progression.Change]:
        """Move every record whose timetable step is due by the clock's now."""
        return progression.run_due(self)

    # --- seed and control records ---------------------------------------------------------------------

    def create_contract_owner(self, name: str) -> ContractOwner:
        """Add a contract owner (Admin API)."""
        return customers.create_contract_owner(self._ctx, name)

    def create_customer(
        self,
        *,
        name: str,
        contract_owner_id: int | None = None,
        credit_threshold: Decimal = ZERO,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        address_line1: str | None = None,
        city: str | None = None,
        postcode: str | None = None,
        telephone: str | None = None,
    ) -> Customer:
        """Add a customer; missing details are derived from the name and id."""
        details = {
            "email": email, "first_name": first_name, "last_name": last_name, "address_line1": address_line1,
            "city": city, "postcode": postcode, "telephone": telephone,
        }
        return customers.create_customer(
            self._ctx, name=name, contract_owner_id=contract_owner_id, credit_threshold=credit_threshold,
            details=details,
        )

    def create_site(
        self,
        *,
        customer_id: int,
        name: str | None = None,
        reference: str | None = None,
        address_line1: str | None = None,
        city: str | None = None,
        postcode: str | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
    ) -> Site:
        """Add a site under a customer."""
        return customers.create_site(
            self._ctx, customer_id=customer_id, name=name, reference=reference,
            address=(address_line1, city, postcode), start_date=start_date, end_date=end_date,
        )

    def create_invoice(
        self,
        *,
        customer_id: int,
        bill_run_type: BillRunType,
        amount: Decimal,
        invoice_date: date | None = None,
        due_date: date | None = None,
        site_id: int | None = None,
    ) -> Invoice:
        """Issue an invoice, raising the customer's debt."""
        return customers.create_invoice(
            self._ctx, customer_id=customer_id, bill_run_type=bill_run_type, amount=amount,
            invoice_date=invoice_date, due_date=due_date, site_id=site_id,
        )

    def get_customer(self, customer_id: int) -> Customer:
        """The customer, or NotFound."""
        return get_or_404(self.state.customers, customer_id, "customer")

    def get_site(self, site_id: int) -> Site:
        """The site, or NotFound."""
        return get_or_404(self.state.sites, site_id, "site")

    def get_invoice(self, invoice_id: int) -> Invoice:
        """The invoice, or NotFound."""
        return get_or_404(self.state.invoices, invoice_id, "invoice")

    # --- payment-providers and payment-provider-reprocess --------------------------------------------

    def create_payment_provider(
        self,
        *,
        type: PaymentMethod,  # Elevate's field name, shadowing the builtin on purpose
        name: str,
        status: PaymentProviderStatus,
        contract_owner_ids: list[int],
        direct_debit_with_name: str | None = None,
        creditor_identifier: str | None = None,
        instant_bank_payments: bool = False,
        retry_if_possible: bool = False,
        accept_external_payments: bool = False,
        sync_instant_bank_payments_with_mandate_creation: bool = False,
    ) -> PaymentProvider:
        """Add a payment provider for existing contract owners."""
        fields = dict(
            type=type, name=name, status=status, contract_owner_ids=contract_owner_ids,
            direct_debit_with_name=direct_debit_with_name, creditor_identifier=creditor_identifier,
            instant_bank_payments=instant_bank_payments, retry_if_possible=retry_if_possible,
            accept_external_payments=accept_external_payments,
            sync_instant_bank_payments_with_mandate_creation=sync_instant_bank_payments_with_mandate_creation,
        )
        return providers.create_payment_provider(self._ctx, fields)

    def get_payment_provider(self, provider_id: int) -> PaymentProvider:
        """The payment provider, or NotFound."""
        return providers.get_payment_provider(self._ctx, provider_id)

    def update_payment_provider(
        self, provider_id: int, operations: list[dict], validate: Callable[[dict], None]
    ) -> PaymentProvider:
        """JSON Patch a provider: everything passes and is written, or nothing changes."""
        return providers.update_payment_provider(self._ctx, provider_id, operations, validate)

    def reprocess_payment_provider(self, *, payment_provider_id: int, notes: str | None = None) -> int:
        """Resubmit the provider's failed payments; returns how many."""
        return providers.reprocess_payment_provider(
            self._ctx, payment_provider_id=payment_provider_id, notes=notes
        )

    # --- invoice-payments, adhoc-invoice-payments, cancel and reprocess -------------------------------

    def create_invoice_payment(
        self,
        *,
        bill_run_type: BillRunType,
        invoice_id: int,
        amount: Decimal,
        description: str,
        payment_method: PaymentMethod,
        third_party_payment_status: ThirdPartyPaymentStatus | None = None,
    ) -> tuple[InvoicePayment, bool]:
        """Record a payment event: (payment, True) when created, (payment, False) when updated."""
        payment, created = payments.create_invoice_payment(
            self._ctx, bill_run_type=bill_run_type, invoice_id=invoice_id, amount=amount,
            description=description, payment_method=payment_method,
            third_party_payment_status=third_party_payment_status,
        )
        if created:
            progression.settle_created(self, Kind.INVOICE_PAYMENTS, payment)
        return payment, created

    def get_invoice_payment(self, bill_run_type: BillRunType, payment_id: int) -> InvoicePayment:
        """The (adhoc) invoice payment, or NotFound."""
        return payments.get_invoice_payment(self._ctx, bill_run_type, payment_id)

    def move_invoice_payment(
        self,
        bill_run_type: BillRunType,
        payment_id: int,
        status: ThirdPartyPaymentStatus,
        error_info: str | None = None,
    ) -> InvoicePayment:
        """The one place a provider payment changes status (lifecycle and money)."""
        payment = payments.get_invoice_payment(self._ctx, bill_run_type, payment_id)
        return payments.move_payment(self._ctx, payment, status, error_info)

    def cancel_invoice_payment(
        self, *, invoice_id: int, bill_run_type: BillRunType, notes: str | None = None
    ) -> InvoicePayment:
        """Cancel the invoice's pending payment (rule 10)."""
        return payments.cancel_invoice_payment(
            self._ctx, invoice_id=invoice_id, bill_run_type=bill_run_type, notes=notes
        )

    def reprocess_invoice_payment(
        self, *, invoice_id: int, bill_run_type: BillRunType, notes: str | None = None
    ) -> InvoicePayment:
        """Resubmit the invoice's failed payment."""
        return payments.reprocess_invoice_payment(
            self._ctx, invoice_id=invoice_id, bill_run_type=bill_run_type, notes=notes
        )

    # --- refunds ----------------------------------------------------------------------------------------

    def create_refund(
        self,
        *,
        invoice_id: int | None,
        bill_run_type: BillRunType | None,
        amount: Decimal | None,
        payment_method: PaymentMethod | None = None,
        description: str | None = None,
    ) -> Refund:
        """Give back collected money (rule 1 picks the method)."""
        refund = refunds.create_refund(
            self._ctx, invoice_id=invoice_id, bill_run_type=bill_run_type, amount=amount,
            payment_method=payment_method, description=description,
        )
        progression.settle_created(self, Kind.REFUNDS, refund)
        return refund

    def move_refund(self, refund_id: int, status: ThirdPartyRefundStatus) -> Refund:
        """Move a refund along its lifecycle; returned money stops counting."""
        return refunds.move_refund(self._ctx, refund_id, status)

    # --- mandates and instant bank payments -------------------------------------------------------------

    def create_site_payment_mandate(
        self, *, site_id: int, return_url: str, redirect_url: str | None = None, exit_url: str | None = None
    ) -> SitePaymentMandate:
        """Start a mandate for a site with its contract owner's mandate provider."""
        mandate = mandates.create_site_payment_mandate(
            self._ctx, site_id=site_id, return_url=return_url, redirect_url=redirect_url, exit_url=exit_url
        )
        provider_mandate = self.state.provider_mandates[(mandate.payment_method, mandate.mandate_reference)]
        progression.settle_created(self, Kind.MANDATES, provider_mandate)
        return mandate

    def get_provider_mandate(
        self,
        *,
        payment_method: PaymentMethod,
        mandate_reference: str,
        third_party_customer_reference: str | None = None,
        contract_owner_id: int | None = None,
    ) -> ProviderMandate:
        """A provider's mandate (rule 6: Stripe needs the customer id), or NotFound."""
        return mandates.get_provider_mandate(
            self._ctx, payment_method=payment_method, mandate_reference=mandate_reference,
            third_party_customer_reference=third_party_customer_reference,
            contract_owner_id=contract_owner_id,
        )

    def move_provider_mandate(
        self, payment_method: PaymentMethod, mandate_reference: str, status: MandateStatus
    ) -> ProviderMandate:
        """Move a mandate along its lifecycle, keeping its site in step."""
        return mandates.move_provider_mandate(self._ctx, payment_method, mandate_reference, status)

    def instant_bank_payments_for_mandate(
        self, *, mandate_reference: str, payment_method: PaymentMethod
    ) -> list[InstantBankPayment]:
        """The instant payments of a mandate (possibly none)."""
        return mandates.instant_bank_payments_for_mandate(
            self._ctx, mandate_reference=mandate_reference, payment_method=payment_method
        )

    def record_instant_bank_payment(
        self, *, mandate_reference: str, payment_method: PaymentMethod, amount: Decimal, description: str
    ) -> InstantBankPayment:
        """Record an instant payment; rule 7 may make it upfront credit."""
        return mandates.record_instant_bank_payment(
            self._ctx, mandate_reference=mandate_reference, payment_method=payment_method, amount=amount,
            description=description,
        )

    # --- customer-payments, balances, adjustments, credit status --------------------------------------

    def create_customer_payment(
        self,
        *,
        customer_id: int,
        amount: Decimal,
        payment_type: PaymentMethod,
        description: str | None = None,
        reference: str | None = None,
        bill_run_type: BillRunType | None = None,
        invoice_id: int | None = None,
    ) -> CustomerPayment:
        """Rule 2: settle unpaid invoices oldest first, the rest is credit."""
        return accounts.create_customer_payment(
            self._ctx, customer_id=customer_id, amount=amount, payment_type=payment_type,
            description=description, reference=reference, bill_run_type=bill_run_type, invoice_id=invoice_id,
        )

    def get_customer_payment(self, payment_id: int) -> CustomerPayment:
        """The customer payment, or NotFound."""
        return accounts.get_customer_payment(self._ctx, payment_id)

    def customer_balance(self, customer_id: int) -> dict[str, object]:
        """The CustomerOutstandingBalance object of a customer."""
        return accounts.customer_balance(self._ctx, customer_id)

    def create_balance_adjustment(
        self, *, customer_id: int, amount: Decimal, description: str | None = None
    ) -> BalanceAdjustment:
        """Adjust a customer's balance by a non-zero amount."""
        return accounts.create_balance_adjustment(
            self._ctx, customer_id=customer_id, amount=amount, description=description
        )

    def get_credit_status(self, customer_id: int) -> dict[str, object]:
        """One customer's CustomerCreditStatus, or NotFound (the list computes only the page it shows)."""
        return accounts.credit_status(self._ctx, self.get_customer(customer_id))

    def credit_statuses(self) -> list[dict[str, object]]:
        """One CustomerCreditStatus per customer, in id order."""
        return accounts.credit_statuses(self._ctx)

    # --- payment links ------------------------------------------------------------------------------------

    def create_payment_link(
        self,
        *,
        payment_provider_id: int,
        amount: Decimal,
        description: str,
        email: str | None = None,
        invoice_id: int | None = None,
        adhoc_invoice_id: int | None = None,
        customer_id: int | None = None,
        strict: bool = False,
    ) -> PaymentLink:
        """A hosted payment link for its target (rule 11); exactly one target only when ``strict``."""
        targets = {"invoice_id": invoice_id, "adhoc_invoice_id": adhoc_invoice_id, "customer_id": customer_id}
        return links.create_payment_link(
            self._ctx, payment_provider_id=payment_provider_id, amount=amount, description=description,
            email=email, targets=targets, strict=strict,
        )

    def pay_payment_link(self, token: str) -> PaymentLink:
        """Pay a link, once (the sandbox's hosted page)."""
        return links.pay_payment_link(self._ctx, token)

    # --- the sandbox's hosted pages (payment link, mandate flow, payout approval) -----------------------

    def get_payment_link(self, token: str) -> PaymentLink:
        """The payment link with this token, or NotFound."""
        return links.link_by_token(self._ctx, token)

    def get_mandate_flow(self, flow_token: str) -> SitePaymentMandate:
        """The site mandate whose capture flow has this token, or NotFound."""
        return mandates.site_mandate_by_flow_token(self._ctx, flow_token)

    def complete_mandate_flow(self, flow_token: str) -> ProviderMandate:
        """The customer completed the mandate flow: the mandate is authorised and waits for submission."""
        return mandates.complete_mandate_flow(self._ctx, flow_token)

    def decide_outbound_approval(self, payment_id: int, *, approve: bool) -> OutboundPayment:
        """Approve (SCHEDULED) or reject (CANCELLED) a payout waiting for approval."""
        return outbound.decide_approval(self._ctx, payment_id, approve=approve)

    # --- outbound-payments (1.39) -----------------------------------------------------------------------

    def create_outbound_payment(
        self,
        *,
        customer_id: int,
        amount: Decimal,
        reference: str,
        description: str | None = None,
        execution_date: date | None = None,
        use_customer_credit_balance: bool = False,
        status: ThirdPartyOutboundPaymentStatus | None = None,
        strict: bool = False,
    ) -> OutboundPayment:
        """Create a payout (rule 13); ApprovalRequired keeps it waiting for approval."""
        payment = outbound.create_outbound_payment(
            self._ctx, customer_id=customer_id, amount=amount, reference=reference, description=description,
            execution_date=execution_date, use_customer_credit_balance=use_customer_credit_balance,
            status=status, strict=strict,
        )
        progression.settle_created(self, Kind.OUTBOUND_PAYMENTS, payment)
        return payment

    def get_outbound_payment(self, payment_id: int) -> OutboundPayment:
        """The outbound payment, or NotFound."""
        return outbound.get_outbound_payment(self._ctx, payment_id)

    def update_outbound_payment(
        self, payment_id: int, operations: list[dict], validate: Callable[[dict], None], *, strict: bool = False
    ) -> OutboundPayment:
        """JSON Patch a payout: edits while open; the status along its lifecycle only when ``strict``."""
        return outbound.update_outbound_payment(self._ctx, payment_id, operations, validate, strict=strict)

    def move_outbound_payment(
        self, payment_id: int, status: ThirdPartyOutboundPaymentStatus
    ) -> OutboundPayment:
        """The one place a payout's status changes."""
        return outbound.move_outbound_payment(self._ctx, payment_id, status)
