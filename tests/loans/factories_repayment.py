"""A loan in repayment, opened the way the portal opens one: signed, disbursed, paid to the seller."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import Person
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from loans.disbursement import disburse_loan, record_disbursement_result
from loans.models import LoanAccount, LoanApplication, LoanStatus
from payouts.models import Payout
from payouts.relay import relay_payouts
from payouts.services import record_payment_result
from tests.accounts.factories import FundAccountFactory
from tests.ledger.factories import deposit
from tests.loans.factories_approval import clerk
from tests.loans.test_disbursement import approved_loan

CARD = "6222021234567890123"
#: 2026-01-10: instalments fall on the 10th, the first on 2026-02-10.
DISBURSED_ON = date(2026, 1, 10)


def with_fund_balance(person: Person, balance: int) -> None:
    """Give ``person`` a normal fund account holding ``balance`` fen."""
    with transaction.atomic():
        account = FundAccountFactory(person=person)
        if balance:
            deposit(account.ledger_account, balance)


def with_verified_card(person: Person, card: str = CARD) -> None:
    person.bank_card, person.bank_card_last4 = card, card[-4:]
    person.bank_card_verified_at = timezone.now()
    person.save(update_fields=["bank_card", "bank_card_last4", "bank_card_verified_at"])


def repaying_loan(
    *,
    amount: int = 12_000_000,
    term_months: int = 120,
    annual_rate: Decimal = Decimal("0.026"),
    method: str = "EQUAL_INSTALMENT",
    disbursed_on: date = DISBURSED_ON,
    card: bool = True,
    fund_balance: int | None = None,
    **fields,
) -> LoanAccount:
    """A loan of ``amount`` fen paid to the seller on ``disbursed_on`` and now ACTIVE."""
    with freeze_time(f"{disbursed_on.isoformat()} 10:00:00+08:00"):
        loan = approved_loan(
            amount=amount, term_months=term_months, annual_rate=annual_rate, repayment_method=method, **fields
        )
        LoanApplication.objects.filter(pk=loan.pk).update(
            status=LoanStatus.SIGNED, signed_at=timezone.now(), signed_by=clerk()
        )
        with use_payment_bank(FakePaymentBank(settle_at_once=False)):
            account = disburse_loan(loan_id=loan.pk)
            relay_payouts()
            payout = Payout.objects.get(pk=account.payout_id)
            record_payment_result(
                reference=payout.reference,
                paid=True,
                failure_code=None,
                bank_ref="B-1",
                settled_on=disbursed_on,
            )
            record_disbursement_result(payout_id=payout.pk)
    person = loan.applicant
    if card:
        with_verified_card(person)
    if fund_balance is not None:
        with_fund_balance(person, fund_balance)
    return LoanAccount.objects.select_related("application__applicant", "ledger_account").get(pk=account.pk)
