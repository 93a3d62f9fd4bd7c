"""The answers the 12329 channels give — balance, last deposit, application progress, help — in
one place, so a text and the hotline menu say the same thing.

Each answer is a sentence in the language asked for, read through the owning apps' selectors.
Account numbers show only their last four digits: a text can be read over a shoulder, and a
menu's answer is spoken aloud.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Person
from accounts.selectors import account_summary
from core.money import format_yuan
from hotline import selectors
from hotline.models import Query
from loans.applications import APPLICANT, loan_application_detail
from withdrawals.selectors import HELD, PAID, withdrawal_timeline

DEFAULT_LANGUAGE = "zh-hans"

_PAYOUT_STATES = {
    "PENDING": gettext_lazy("Payment being prepared"),
    "SENT": gettext_lazy("Payment sent to the bank"),
    "PAID": gettext_lazy("Paid to your bank card"),
    "FAILED": gettext_lazy("The bank could not pay: the money is back in your fund account"),
}


def language_of(person: Person | None, *, asked_in: str | None = None) -> str:
    """The language to write to ``person`` in: theirs (Chinese unless they chose otherwise); to a
    number that is nobody's, the language of the keyword it sent."""
    if person is not None:
        return getattr(person, "language", "") or DEFAULT_LANGUAGE
    return asked_in or DEFAULT_LANGUAGE


def balance_text(person: Person, language: str) -> str:
    with translation.override(language):
        summary = account_summary(person)
        if summary is None:
            return _("No fund account is registered in your name.")
        return _(
            "Your fund account ending %(tail)s has a balance of %(balance)s yuan; account status: %(status)s."
        ) % {
            "tail": summary.account_no[-4:],
            "balance": format_yuan(summary.balance),
            "status": summary.status_label,
        }


def last_deposit_text(person: Person, language: str) -> str:
    with translation.override(language):
        found = selectors.last_deposit(person)
        if found is None:
            return _("No deposit has reached your fund account yet.")
        return _("Your last deposit: %(month)s, %(amount)s yuan, paid by %(employer)s.") % {
            "month": f"{found.month:%Y-%m}",
            "amount": format_yuan(found.amount),
            "employer": found.employer_name or "-",
        }


def progress_text(person: Person, language: str) -> str:
    with translation.override(language):
        latest = selectors.latest_application(person)
        if latest is None:
            return _("You have no withdrawal or loan application.")
        submitted_on = f"{timezone.localdate(latest.submitted_at):%Y-%m-%d}"
        if latest.loan is not None:
            detail = loan_application_detail(latest.loan, role=APPLICANT, language=language)
            return _(
                "Your latest application, a loan application submitted on %(date)s: %(status)s; "
                "latest step: %(step)s."
            ) % {
                "date": submitted_on,
                "status": latest.loan.get_status_display(),
                "step": detail.timeline[-1].label,
            }
        application = latest.withdrawal
        last_step = withdrawal_timeline(application, language=language)[-1]
        if last_step.step == PAID:
            state = str(_PAYOUT_STATES.get(last_step.outcome, last_step.outcome))
        elif last_step.step == HELD:
            state = _("Approved, but not paid yet")
        else:
            state = application.get_status_display()
        return _("Your latest application, a withdrawal submitted on %(date)s: %(state)s.") % {
            "date": submitted_on,
            "state": state,
        }


def help_text(language: str) -> str:
    """The keywords; nothing personal, so any number may receive it."""
    with translation.override(language):
        return _(
            "12329 housing fund texts: send YE for your balance, JC for your last deposit, JD for the "
            "progress of your latest application, BZ for this help (in English: BALANCE, DEPOSIT, "
            "PROGRESS, HELP). Account details are sent only to the mobile number registered with the centre."
        )


_ANSWERS = {
    Query.BALANCE: balance_text,
    Query.DEPOSIT: last_deposit_text,
    Query.PROGRESS: progress_text,
}


def answer(query: str, person: Person, language: str) -> str:
    """The answer to ``query`` for a person whose identity the channel has established."""
    if query == Query.HELP:
        return help_text(language)
    return _ANSWERS[query](person, language)
