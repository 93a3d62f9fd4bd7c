"""Builders of the messages the withdrawal flow sends, as message ids rendered in the reader's language.

Each returns a :class:`Notice`; pass it on with ``notify(person=..., **notice.as_kwargs())``,
which renders its title and body in the person's language (``notifications.text``). Amounts are
integer fen; bank cards are masked whatever the caller passes in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from core.crypto import mask_bank_card
from notifications.models import MessageKind
from notifications.text import Both, Day, Join, Moment, Sentences, Text, yuan

#: Each withdrawal reason as the messages name it (DOMAIN.md §6, CONTRACT.md values).
WITHDRAWAL_REASON_NAMES = {
    "LEAVING_CITY": _("leaving the city"),
    "RETIREMENT": _("retirement"),
    "LIXIU": _("lixiu retirement"),
    "PURCHASE_IN_CITY": _("a home purchase in the city"),
    "RENT": _("rent"),
    "LOAN_REPAYMENT_ANNUAL": _("repaying a fund loan (yearly)"),
    "LOAN_REPAYMENT_MONTHLY": _("monthly entrusted loan repayment"),
    "PURCHASE_ELSEWHERE": _("a home purchase elsewhere"),
    "BUILD_RENOVATE": _("building or renovating your own home"),
    "COMMERCIAL_LOAN_REPAYMENT": _("repaying a commercial home loan"),
    "EMIGRATION": _("settling abroad"),
    "INCAPACITY": _("complete loss of the ability to work"),
    "DEATH": _("the death of the employee"),
    "SERIOUS_ILLNESS": _("serious illness"),
    "DISASTER": _("a natural disaster"),
    "ELEVATOR": _("adding a lift to an existing home"),
}

APPROVED = "APPROVED"
REJECTED = "REJECTED"
REFERRED = "REFERRED"
# The engine's outcomes (APPROVE, …) and the application statuses (APPROVED, …) both name a decision.
_OUTCOMES = {
    "APPROVE": APPROVED,
    "REJECT": REJECTED,
    "REFER": REFERRED,
    APPROVED: APPROVED,
    REJECTED: REJECTED,
    REFERRED: REFERRED,
}


@dataclass(frozen=True)
class Notice:
    """A message to send: its kind, and a title and body rendered when ``notify`` writes it."""

    kind: str
    title: object
    body: object
    link: str = ""

    def as_kwargs(self) -> dict:
        return {"kind": self.kind, "title": self.title, "body": self.body, "link": self.link}


def _card(card: str) -> Text:
    """The card masked; a card already masked (or given as its last digits) named by its last four."""
    digits = "".join((card or "").split())
    if not digits:
        return Text(_("your own bank card"))
    if "*" in digits or len(digits) <= 4:
        return Text(_("the bank card ending %(last4)s"), last4=digits[-4:])
    return Text(_("bank card %(card)s"), card=mask_bank_card(digits))


def reason_name(reason: str):
    return WITHDRAWAL_REASON_NAMES.get(reason, reason)


def payout_sent(*, amount: int, card: str, bank_name: str = "", link: str = "") -> Notice:
    """The centre has instructed its bank to pay a withdrawal to the applicant's card."""
    bank = Text(_(" (%(bank)s)"), bank=bank_name) if bank_name else ""
    return Notice(
        MessageKind.PAYOUT_SENT,
        _("Withdrawal sent"),
        Text(
            _(
                "Your housing fund withdrawal of %(amount)s yuan has been sent to %(card)s%(bank)s; "
                "when it arrives depends on the bank."
            ),
            amount=yuan(amount),
            card=_card(card),
            bank=bank,
        ),
        link,
    )


def payout_paid(*, amount: int, card: str, paid_on: date | None = None, link: str = "") -> Notice:
    """The bank reports the money credited to the card."""
    if paid_on:
        body = Text(
            _("Your housing fund withdrawal of %(amount)s yuan was credited to %(card)s on %(day)s."),
            amount=yuan(amount),
            card=_card(card),
            day=Day(paid_on),
        )
    else:
        body = Text(
            _("Your housing fund withdrawal of %(amount)s yuan has been credited to %(card)s."),
            amount=yuan(amount),
            card=_card(card),
        )
    return Notice(MessageKind.PAYOUT_PAID, _("Withdrawal credited"), body, link)


def payout_failed(*, amount: int, card: str, reason: str = "", link: str = "") -> Notice:
    """The bank could not pay; the amount is back in the fund account."""
    why = Text(_(" (%(reason)s)"), reason=reason.rstrip("。.")) if reason else ""
    return Notice(
        MessageKind.PAYOUT_FAILED,
        _("Withdrawal not paid, returned to your account"),
        Text(
            _(
                "Your housing fund withdrawal of %(amount)s yuan could not be paid into %(card)s%(why)s; "
                "the money is back in your fund account. Check your bank card details and apply again, "
                "or call 12329."
            ),
            amount=yuan(amount),
            card=_card(card),
            why=why,
        ),
        link,
    )


def withdrawal_decided(
    *,
    reason: str,
    outcome: str,
    reasons: Sequence = (),
    amount: int | None = None,
    application_id: int | None = None,
    link: str = "",
) -> Notice:
    """An application's decision: approved, rejected or referred, with its plain reasons.

    ``reason`` is the withdrawal reason code (``RENT``); ``outcome`` the engine's outcome or the
    application's status; ``reasons`` the citizen-facing explanations: the stored reasons
    ``{code, zh_hans, en}`` (each read in the person's language) or texts.
    """
    decided = _OUTCOMES.get(outcome)
    if decided is None:
        raise ValueError(f"unknown outcome {outcome!r}")
    params = {
        "reason": reason_name(reason),
        "number": Text(_(" (No. %(number)s)"), number=application_id) if application_id is not None else "",
    }
    explained = Sentences(Both.of(text) for text in reasons if text)
    if decided == APPROVED:
        title = _("Withdrawal approved")
        if amount is not None:
            body = Text(
                _(
                    "Your withdrawal application for %(reason)s%(number)s has been approved for "
                    "%(amount)s yuan; the money will be paid into your own bank card."
                ),
                amount=yuan(amount),
                **params,
            )
        else:
            body = Text(
                _(
                    "Your withdrawal application for %(reason)s%(number)s has been approved; the money "
                    "will be paid into your own bank card."
                ),
                **params,
            )
    elif decided == REJECTED:
        title = _("Withdrawal not approved")
        body = Join(
            Text(_("Your withdrawal application for %(reason)s%(number)s was not approved."), **params),
            explained,
        )
    else:
        title = _("Withdrawal passed to staff for review")
        body = Join(
            Text(
                _(
                    "Your withdrawal application for %(reason)s%(number)s has been passed to staff for "
                    "review; you will be told the result."
                ),
                **params,
            ),
            explained,
        )
    return Notice(MessageKind.WITHDRAWAL_DECIDED, title, body, link)


def withdrawal_lock_changed(*, locked: bool, unlocks_at: datetime | None = None, link: str = "") -> Notice:
    """The withdrawal lock was turned on (at once) or an unlock was requested (after cooling off)."""
    if locked:
        return Notice(
            MessageKind.WITHDRAWAL_LOCK_CHANGED,
            _("Withdrawals locked"),
            _(
                "You have locked withdrawals from your housing fund account: no withdrawal will be "
                "approved while they are locked. If this was not you, change your password at once "
                "and call 12329."
            ),
            link,
        )
    when = Moment(unlocks_at) if unlocks_at else Text(_("the end of the cooling-off period"))
    return Notice(
        MessageKind.WITHDRAWAL_LOCK_CHANGED,
        _("Unlock of withdrawals requested"),
        Text(
            _(
                "You have asked to unlock withdrawals from your housing fund account. The unlock takes "
                "effect on %(when)s; until then withdrawals stay locked. If this was not you, log in at "
                "once to lock them again and change your password, or call 12329."
            ),
            when=when,
        ),
        link,
    )
