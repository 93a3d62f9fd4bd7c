"""Re-pricing running loans on 1 January (每年1月1日调整利率, DOMAIN.md §7).

A loan pays the rate of its band (first or second home; a contract term of up to 5 years or
more) from the policy parameters. When the rate in force on 1 January differs from the rate the
loan pays, the instalments still to come are recomputed at the new rate over the same months
(:func:`loans.repayment_math.reprice`), the old ones kept as SUPERSEDED, and the borrower told.

The job runs every night and is a no-op once a year's re-pricing is done: a loan re-prices at
most once per 1 January (a unique :class:`~loans.models.LoanScheduleChange`). A loan is priced
on its application day: one applied for last year and disbursed after 1 January re-prices the
night after its disbursement; one applied for this year keeps its rate until next 1 January
(it is this year's 1 January rate, or a later one). Run
late (a broken beat, a backfill), the instalments already due keep the old rate; only those
after the run day change.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import record_event
from core.money import format_yuan
from loans import loan_book
from loans.calculators import percent_text, rate_key
from loans.models import (
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanScheduleChange,
    ScheduleChangeKind,
)
from loans.repayment_math import reprice
from loans.selectors import applicable_loan_rate
from notifications.text import Day, yuan


def year_start(on: date) -> date:
    return date(on.year, 1, 1)


def loans_to_reprice(*, on: date) -> list[int]:
    """Repaying loans priced before ``on``'s 1 January whose band's rate on that day differs from theirs."""
    start = year_start(on)
    done = LoanScheduleChange.objects.filter(kind=ScheduleChangeKind.REPRICING, effective_on=start).values(
        "account_id"
    )
    candidates = (
        LoanAccount.objects.filter(status=LoanAccountStatus.ACTIVE)
        .exclude(pk__in=done)
        .values_list(
            "pk", "annual_rate", "term_months", "application__first_home", "application__submitted_at"
        )
    )
    rates: dict[str, object] = {}
    due = []
    for pk, rate, term_months, first_home, priced_at in candidates:
        if timezone.localdate(priced_at) >= start:
            continue
        key = rate_key(first_home=first_home, term_months=term_months)
        if key not in rates:
            rates[key] = applicable_loan_rate(first_home=first_home, term_months=term_months, on=start).annual
        if rates[key] != rate:
            due.append(pk)
    return due


def reprice_account(*, account_id: int, today: date) -> LoanScheduleChange | None:
    """Re-price one loan for ``today``'s 1 January; None when nothing changes (or it already did)."""
    start = year_start(today)
    with transaction.atomic(durable=True):
        account = loan_book.lock_account(account_id)
        if account is None or account.status != LoanAccountStatus.ACTIVE:
            return None
        if timezone.localdate(account.application.submitted_at) >= start:
            return None  # priced this year: at this year's rate, or a later one that waits a year
        if account.schedule_changes.filter(kind=ScheduleChangeKind.REPRICING, effective_on=start).exists():
            return None
        new_rate = applicable_loan_rate(
            first_home=account.application.first_home, term_months=account.term_months, on=start
        ).annual
        if new_rate == account.annual_rate:
            return None
        replaced = list(
            account.instalments.filter(status=InstalmentStatus.DUE, due_on__gt=max(today, start)).order_by(
                "period"
            )
        )
        if not replaced:
            return None
        result = reprice(
            outstanding=loan_book.principal_before(replaced),
            previous_rate=account.annual_rate,
            current_rate=new_rate,
            months_remaining=len(replaced),
            method=account.repayment_method,
        )
        change = loan_book.replace_schedule(
            account=account,
            replaced=replaced,
            schedule=result.new_schedule,
            kind=ScheduleChangeKind.REPRICING,
            effective_on=start,
            new_rate=new_rate,
        )
        old_rate = account.annual_rate
        account.annual_rate = new_rate
        account.save(update_fields=["annual_rate"])
        record_event(
            actor=None,
            actor_label=loan_book.SYSTEM,
            action="loans.repriced",
            target=account,
            summary=(
                f"贷款账户 {account.account_no} {start:%Y}年1月1日 利率 {percent_text(old_rate)}% → "
                f"{percent_text(new_rate)}%, 月供 {format_yuan(change.old_payment)} → "
                f"{format_yuan(change.new_payment)} 元"
            ),
            data={"account": account.pk, "old_rate": str(old_rate), "new_rate": str(new_rate)},
        )
        loan_book.notify_borrowers(
            account,
            kind="loan_repriced",
            title=_("Housing fund loan rate changed"),
            body=_(
                "Under the housing fund loan rates in force from %(day)s, your loan's annual rate "
                "changes from %(old_rate)s%% to %(new_rate)s%%: from instalment %(period)s you repay "
                "%(new_payment)s yuan a month (was %(old_payment)s yuan)."
            ),
            day=Day(start.replace(month=1, day=1)),
            old_rate=percent_text(old_rate),
            new_rate=percent_text(new_rate),
            period=replaced[0].period,
            new_payment=yuan(change.new_payment),
            old_payment=yuan(change.old_payment),
        )
    return change


def reprice_loans(*, today: date) -> int:
    """Re-price every loan due for ``today``'s 1 January; returns how many changed."""
    return sum(reprice_account(account_id=pk, today=today) is not None for pk in loans_to_reprice(on=today))
