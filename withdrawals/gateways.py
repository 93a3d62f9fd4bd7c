"""The other apps a withdrawal pays through, called by their published contracts.

``payouts.services.create_payout`` (the outbox of payments to cards) and
``notifications.services.notify`` (in-portal message and SMS) are helpers that need the caller's
transaction; the credit bureau is a government port asked outside any transaction. They are
imported when called, so the order in which the apps start does not matter.
"""

from __future__ import annotations

from django.conf import settings


def create_payout(**fields):
    from payouts.services import create_payout as create

    return create(**fields)


def notify(*, person, kind: str, title, body, link: str = "", sms: bool = True, params=None):
    """A message to ``person``: message ids with ``params``, rendered in their language."""
    from notifications.services import notify as send

    return send(person=person, kind=kind, title=title, body=body, link=link, sms=sms, params=params)


def notify_payout_sent(*, person, amount: int, card: str, link: str = ""):
    """The notifications app's "withdrawal sent" message: the payout to ``card`` is on its way."""
    from notifications import messages

    return notify(person=person, **messages.payout_sent(amount=amount, card=card, link=link).as_kwargs())


def notify_payout_paid(*, payout_ref: str, person, link: str = ""):
    """The notifications app's own "payment credited" message for the payout under ``payout_ref``."""
    from notifications import messages

    payout = payout_for(payout_ref)
    notice = messages.payout_paid(
        amount=payout.amount, card=payout.card_no, paid_on=_local_day(payout.settled_at), link=link
    )
    return notify(person=person, **notice.as_kwargs())


def notify_payout_failed(*, payout_ref: str, person, link: str = "", extra=""):
    """The notifications app's "payment returned" message, with the message id ``extra`` appended."""
    from notifications import messages
    from notifications.text import Join

    payout = payout_for(payout_ref)
    notice = messages.payout_failed(amount=payout.amount, card=payout.card_no, link=link)
    kwargs = notice.as_kwargs()
    if extra:
        kwargs["body"] = Join(kwargs["body"], extra)
    return notify(person=person, **kwargs)


def _local_day(moment):
    from django.utils import timezone

    return timezone.localdate(moment) if moment is not None else None


def payout_for(source_ref: str):
    """The payout created under ``source_ref``, or None (none yet, or no payouts app)."""
    try:
        from payouts.selectors import payout_for_source
    except ImportError:
        return None
    return payout_for_source(source_ref)


def payouts_for(source_refs: list[str]) -> dict:
    """The payouts created under ``source_refs``, by reference (one query)."""
    if not source_refs:
        return {}
    try:
        from payouts.models import Payout
    except ImportError:
        return {}
    return {payout.source_ref: payout for payout in Payout.objects.filter(source_ref__in=source_refs)}


def centre_loan_in_repayment(id_number: str, *, purpose: str, requested_by: str):
    """This centre's fund loan in repayment on the person's credit report (the latest), or None.

    Raises ``integrations.gov.ports.SourceUnavailable`` (or the port's timeout) when the bureau
    does not answer.
    """
    from integrations.gov import ports
    from integrations.gov.registry import gov_source

    bureau = gov_source(ports.CREDIT_BUREAU, purpose=purpose, requested_by=requested_by)
    report = bureau.credit_report(id_number, timeout=settings.DECISION_SOURCE_TIMEOUT_S)
    if report is None:
        return None
    loans = [
        loan
        for loan in report.loans
        if loan.kind == ports.FUND_LOAN
        and loan.centre == settings.FUND_CENTRE_CODE
        and loan.status == ports.REPAYING
        and loan.monthly_payment > 0
    ]
    return max(loans, key=lambda loan: loan.opened_on, default=None)


def loan_book_account(person_id: int):
    """This centre's loan in repayment in its own loan book (``loans.LoanAccount``), or None."""
    from loans.repayment_selectors import repaying_account_of

    return repaying_account_of(person_id)


def next_loan_payment(account) -> int | None:
    """The next instalment (fen) the loan book still expects of ``account``, or None."""
    from loans.repayment_selectors import next_payment

    return next_payment(account)


def offset_loan_from_fund(*, account_id: int, on: bool, reason: str) -> None:
    """Ask the loans app to collect the loan's instalments from the fund account (``on``) or the card.

    A helper: needs the caller's transaction.
    """
    from loans.collection import change_collection_mode_for

    change_collection_mode_for(account_id=account_id, fund_offset=on, reason=reason)
