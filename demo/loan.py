"""The ``loan_repayer`` persona's fund loan: in the credit bureau's sandbox and in the centre's loan book.

One source for both: :func:`repayer_loan_terms` fixes what was lent (the day, the amount, the term,
the rate and the first monthly payment), ``demo.sandbox`` writes the credit bureau's record and
the register's home from it, and :func:`seed_repayer_loan` opens the same loan in the portal and
repays its history through the loans app's own services, so the loan page, the ledger and the
credit report agree.

The story, dated back from today:

- about fifteen months ago the persona applied for a loan on a new home (the register's home,
  its price); the quota is computed with the calculator from the fund balance and the deposit base
  of that day. The case passed 受理, 初审, (复审 above the threshold) and 终审 by the demo staff,
  was sealed with the centre's approval seal and signed; the application and its actions are
  written as records of that history, as ``tests/loans`` arranges them;
- it was disbursed through :func:`loans.disbursement.disburse_loan` on the disbursement day, the
  payout relayed to the payment bank and its result recorded as paid on that day;
- every instalment due before today was collected through :func:`loans.collection.collect_instalment`
  on its due date: by bank debit (the result recorded with :func:`loans.collection.record_repayment_result`),
  one of them two days late after two failed debits (so the statement shows an overdue repayment
  with its penalty), and the last few from the fund account (委托按月还贷), which the borrower
  chose with :func:`loans.collection.set_collection_mode`. A 1 January in between re-prices the
  loan (:func:`loans.repricing.reprice_account`) when the policy rate changed;
- the next instalment is due a few days after today, so a visitor can see it coming, prepay or
  settle in the hall.

The disbursement is dated by ``disburse_loan(business_on=…)``; the case's ``disbursed_at`` (the
payout's settlement time, a clock time) is written back to the disbursement day with an audit
event. The history's messages to the borrower are marked read: they are old news.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import FundAccount, Person, User
from audit.seals import seal_document
from audit.services import record_event
from core.calendar import is_working_day
from core.crypto import blind_index
from core.identity import luhn_check_digit
from core.money import format_yuan
from demo import names
from demo.city import CityPlan, PlannedPerson, add_months
from demo.models import Persona
from integrations.bank import ports as bank_ports
from integrations.models import SandboxProperty
from ledger.models import JournalLine
from loans import collection, disbursement
from loans.approval import SEAL_KIND, approval_digest, levels_needed
from loans.calculators import QuotaEstimate, QuotaInputs
from loans.models import (
    ApprovalAction,
    CollectionMode,
    InstalmentStatus,
    LoanAccount,
    LoanApplication,
    LoanStatus,
    PropertyKind,
    RepaymentMethod,
    RepaymentStatus,
)
from loans.repricing import reprice_account
from loans.selectors import applicable_loan_rate, loan_quota_estimate, loan_schedule
from loans.services import quota_limits_record
from notifications.models import Message
from notifications.services import mark_read
from payouts.models import Payout
from payouts.relay import relay_payouts
from payouts.services import record_payment_result

ACTOR_LABEL = "system:seed_demo"
#: The instalments collected before today: the next one falls due this many days ahead at the earliest.
NEXT_DUE_AT_LEAST_DAYS = 3
#: Instalments repaid before today (the disbursement is one month earlier than the first).
PAID_INSTALMENTS = 14
#: The instalment whose bank debit failed twice (insufficient funds) and was collected two days late.
LATE_PERIOD = 4
LATE_DAYS = 2
#: The last instalments were offset from the fund account (委托按月还贷), the borrower's choice.
FUND_OFFSET_INSTALMENTS = 3
LONGEST_TERM_YEARS = 30
SHORTEST_TERM_YEARS = 5
AGE_AT_END = 65
SMALLEST_LOAN = 5_000_000  # fen: 50,000 yuan, should the quota come out below it
DEVELOPERS = ("鹭岛", "海峡", "嘉禾", "筼筜", "五缘湾", "集美湾")


@dataclass(frozen=True)
class RepayerLoan:
    """What was lent to the loan_repayer persona, as the contract says."""

    applied_on: date
    disbursed_on: date
    principal: int
    term_months: int
    annual_rate: Decimal
    method: str
    first_home: bool
    monthly_income: int
    balance: int
    house_price: int
    quota: QuotaEstimate
    #: The first instalment of the contract's schedule: the credit bureau's 月还款额.
    monthly_payment: int


def repayer_of(plan: CityPlan) -> PlannedPerson:
    return next(person for person in plan.people if person.persona == Persona.LOAN_REPAYER)


def disbursement_day(today: date) -> date:
    """The working day, ``PAID_INSTALMENTS`` + 1 months before the next due date, the loan was paid out.

    The next due date is the first day at least ``NEXT_DUE_AT_LEAST_DAYS`` ahead whose day of the
    month is at most 28 (the repayment day's cap) and whose counterpart back then was a working day.
    """
    for ahead in range(NEXT_DUE_AT_LEAST_DAYS, NEXT_DUE_AT_LEAST_DAYS + 60):
        next_due = today + timedelta(days=ahead)
        if next_due.day > 28:
            continue
        day = add_months(next_due, -(PAID_INSTALMENTS + 1))
        if is_working_day(day):
            return day
    raise AssertionError("no working day in two months")  # pragma: no cover


def _working_days_before(day: date, count: int) -> date:
    while count:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day


def _balance_before(person: PlannedPerson, day: date) -> int:
    """The persona's fund balance at the start of ``day``, from the ledger."""
    account = FundAccount.objects.get(person__id_number_index=blind_index(person.id_number))
    total = JournalLine.objects.filter(
        account_id=account.ledger_account_id, entry__business_on__lt=day
    ).aggregate(credit=Sum("credit"), debit=Sum("debit"))
    return (total["credit"] or 0) - (total["debit"] or 0)


def repayer_loan_terms(plan: CityPlan, *, house_price: int) -> RepayerLoan:
    """The loan the persona took for a first home of ``house_price`` fen: the quota of that day.

    Reads the policy parameters and the ledger (the balance before the application), so it is
    called after the history is posted; the same plan and price always give the same loan.
    """
    person = repayer_of(plan)
    disbursed_on = disbursement_day(plan.today)
    applied_on = _working_days_before(disbursed_on, 10)
    age = disbursed_on.year - person.birth_date.year
    years = max(SHORTEST_TERM_YEARS, min(LONGEST_TERM_YEARS, AGE_AT_END - age))
    term_months = years * 12
    balance = max(0, _balance_before(person, applied_on))
    estimate = loan_quota_estimate(
        QuotaInputs(
            balance=balance,
            co_borrower_balance=0,
            monthly_income=person.base,
            other_monthly_debt=0,
            house_price=house_price,
            first_home=True,
            term_months=term_months,
            has_co_borrower=False,
        ),
        on=applied_on,
    )
    principal = max(estimate.quota, SMALLEST_LOAN)
    rate = applicable_loan_rate(first_home=True, term_months=term_months, on=applied_on).annual
    schedule = loan_schedule(
        principal=principal,
        annual_rate=rate,
        months=term_months,
        method=RepaymentMethod.EQUAL_INSTALMENT,
        on=applied_on,
    )
    return RepayerLoan(
        applied_on=applied_on,
        disbursed_on=disbursed_on,
        principal=principal,
        term_months=term_months,
        annual_rate=rate,
        method=RepaymentMethod.EQUAL_INSTALMENT,
        first_home=True,
        monthly_income=person.base,
        balance=balance,
        house_price=house_price,
        quota=estimate,
        monthly_payment=schedule.instalments[0].payment,
    )


# --- the loan book ------------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _seller(rng: random.Random) -> tuple[str, str]:
    """A developer and its bank account (never one of the sandbox's failing demo endings)."""
    name = f"厦门{rng.choice(DEVELOPERS)}置业有限公司"
    while True:
        bin_, length = rng.choice(names.CARD_BINS)
        body = bin_ + "".join(rng.choice("0123456789") for _ in range(length - len(bin_) - 1))
        account = body + luhn_check_digit(body)
        if account[-4:] not in ("0000", "4444", "7777"):
            return name, account


def _home_of(person: Person) -> SandboxProperty:
    return (
        SandboxProperty.objects.filter(owners__id_number_index=person.id_number_index)
        .order_by("-contract_on", "pk")
        .first()
    )


#: Who acted at each level in the story: the demo staff logins (``demo.services.STAFF_LOGINS``).
_STAFF = {"ACCEPTANCE": "clerk", "FIRST": "first_reviewer", "SECOND": "section_chief", "FINAL": "director"}


def _record_case(
    plan: CityPlan, person: Person, terms: RepayerLoan, home: SandboxProperty
) -> LoanApplication:
    """The application as the approval chain left it, sealed and signed (a record of that history)."""
    staff = {user.username: user for user in User.objects.filter(username__in=_STAFF.values())}
    seller_name, seller_account = _seller(random.Random(f"demo-loan:{plan.seed}"))
    disbursed_on = terms.disbursed_on
    with transaction.atomic(durable=True):
        loan = LoanApplication.objects.create(
            applicant=person,
            status=LoanStatus.PRE_ACCEPTED,
            property_kind=PropertyKind.NEW,
            property_ref=home.property_id,
            property_address=home.address,
            house_price=home.price,
            first_home=terms.first_home,
            seller_name=seller_name,
            seller_account=seller_account,
            amount=terms.principal,
            term_months=terms.term_months,
            repayment_method=terms.method,
            annual_rate=terms.annual_rate,
            quota=terms.quota.quota,
            quota_limits=quota_limits_record(terms.quota),
            monthly_income=terms.monthly_income,
            submitted_at=_at(terms.applied_on, 9, 30),
        )
        acted_on = terms.applied_on
        for step, level in enumerate(levels_needed(loan)):
            acted_on = acted_on if step == 0 else _next_working_day(acted_on)
            ApprovalAction.objects.create(
                loan=loan,
                level=level,
                action=ApprovalAction.Action.APPROVE,
                actor=staff[_STAFF[level]],
                acted_at=_at(acted_on, 15 if step == 0 else 11),
            )
        director = staff[_STAFF["FINAL"]]
        seal = seal_document(
            kind=SEAL_KIND,
            subject=f"loan-application:{loan.pk}",
            digest=approval_digest(loan),
            signer=director,
        )
        loan.status = LoanStatus.SIGNED
        loan.accepted_at = _at(terms.applied_on, 15)
        loan.approved_at = _at(acted_on, 11)
        loan.approval_seal = seal
        loan.signed_at = _at(disbursed_on, 9, 30)
        loan.signed_by = staff[_STAFF["ACCEPTANCE"]]
        loan.save()
        record_event(
            actor=None,
            actor_label=ACTOR_LABEL,
            action="demo.loan_case_recorded",
            target=loan,
            summary=(
                f"贷款申请 #{loan.pk} (demo: loan_repayer) 受理 {terms.applied_on}, 终审 {acted_on}, "
                f"签约 {disbursed_on}, 金额 {terms.principal} 分"
            ),
            data={
                "persona": Persona.LOAN_REPAYER,
                "applied_on": terms.applied_on.isoformat(),
                "approved_on": acted_on.isoformat(),
                "signed_on": disbursed_on.isoformat(),
                "seal": seal.code,
            },
        )
    return loan


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _disburse(loan: LoanApplication, on: date) -> LoanAccount:
    """Pay the seller through the payouts pipeline on ``on``, the bank's result recorded as paid that day."""
    account = disbursement.disburse_loan(loan_id=loan.pk, business_on=on)
    relay_payouts()
    payout = Payout.objects.get(pk=account.payout_id)
    record_payment_result(
        reference=payout.reference,
        paid=True,
        failure_code=None,
        bank_ref=payout.bank_ref or f"DEMO-{payout.reference}",
        settled_on=on,
    )
    disbursement.record_disbursement_result(payout_id=payout.pk)
    with transaction.atomic(durable=True):
        LoanApplication.objects.filter(pk=loan.pk).update(disbursed_at=_at(on, 16))
        record_event(
            actor=None,
            actor_label=ACTOR_LABEL,
            action="demo.loan_disbursement_dated",
            target=loan,
            summary=f"贷款申请 #{loan.pk} (demo) 放款时间记为 {on} 16:00",
            data={"disbursed_on": on.isoformat(), "payout": payout.reference},
        )
    return LoanAccount.objects.get(pk=account.pk)


def _bank_result(repayment, *, succeeded: bool, on: date) -> None:
    collection.record_repayment_result(
        order_ref=repayment.order_ref,
        succeeded=succeeded,
        failure_code=None if succeeded else bank_ports.INSUFFICIENT_FUNDS,
        settled_on=on,
    )


def _collect(account: LoanAccount, on: date, *, fails: bool = False):
    """The morning run's collection on ``on``; a bank debit is settled by the bank that day."""
    repayment = collection.collect_instalment(account_id=account.pk, today=on)
    if repayment is not None and repayment.status == RepaymentStatus.COLLECTING:
        _bank_result(repayment, succeeded=not fails, on=on)
    return repayment


def _repay_history(account: LoanAccount, borrower: User, today: date) -> None:
    due_dates = [add_months(account.opened_on, months) for months in range(1, PAID_INSTALMENTS + 1)]
    due_dates = [day for day in due_dates if day < today]
    switch_at = len(due_dates) - FUND_OFFSET_INSTALMENTS + 1
    previous = account.opened_on
    for period, due_on in enumerate(due_dates, start=1):
        for year in range(previous.year + 1, due_on.year + 1):
            # The night of 1 January: the loan takes that year's rate for what is still to come.
            reprice_account(account_id=account.pk, today=date(year, 1, 1))
        if period == switch_at:
            collection.set_collection_mode(
                account_id=account.pk, mode=CollectionMode.FUND_OFFSET, actor=borrower
            )
        if period == LATE_PERIOD:
            _collect(account, due_on, fails=True)
            for late in range(1, LATE_DAYS + 1):
                day = due_on + timedelta(days=late)
                collection.mark_overdue(today=day)
                _collect(account, day, fails=late < LATE_DAYS)
        else:
            _collect(account, due_on)
        previous = due_on
    for year in range(previous.year + 1, today.year + 1):
        reprice_account(account_id=account.pk, today=date(year, 1, 1))


def seed_repayer_loan(plan: CityPlan) -> LoanAccount | None:
    """Open the loan_repayer's loan and repay its history (see the module docstring).

    Call after the sandbox is filled (the home) and the persona's login exists, outside any
    transaction. Safe to run again: nothing is added once the persona has a loan account.
    """
    planned = repayer_of(plan)
    person = Person.objects.select_related("user").get(id_number_index=blind_index(planned.id_number))
    existing = LoanAccount.objects.filter(application__applicant=person).first()
    if existing is not None:
        return existing
    home = _home_of(person)
    terms = repayer_loan_terms(plan, house_price=home.price)
    first_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    loan = _record_case(plan, person, terms, home)
    account = _disburse(loan, terms.disbursed_on)
    _repay_history(account, person.user, plan.today)
    for message_id in Message.objects.filter(person=person, pk__gt=first_message).values_list(
        "pk", flat=True
    ):
        mark_read(person=person, message_id=message_id)
    return LoanAccount.objects.select_related("ledger_account").get(pk=account.pk)


def loans_in_repayment(plan: CityPlan) -> list[dict]:
    """The persona's loan as a visitor reads it on the loan page: for ``var/demo-try.json``."""
    rows = []
    person = Person.objects.filter(id_number_index=blind_index(repayer_of(plan).id_number)).first()
    account = (
        LoanAccount.objects.select_related("ledger_account").filter(application__applicant=person).first()
        if person is not None
        else None
    )
    if account is not None:
        upcoming = [
            row for row in disbursement.instalments_of(account) if row.status != InstalmentStatus.PAID
        ]
        rows.append(
            {
                "persona": Persona.LOAN_REPAYER,
                "id_number": person.id_number,
                "account_no": account.account_no,
                "principal_yuan": format_yuan(account.principal),
                "opened_on": account.opened_on.isoformat(),
                "repayment_day": account.repayment_day,
                "collection_mode": account.collection_mode,
                "outstanding_yuan": format_yuan(disbursement.outstanding_principal(account)),
                "next_due_on": upcoming[0].due_on.isoformat() if upcoming else None,
                "next_payment_yuan": format_yuan(upcoming[0].payment) if upcoming else None,
            }
        )
    return rows
