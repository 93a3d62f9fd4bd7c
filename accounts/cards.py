"""Registering the card withdrawals are paid to: the bank confirms it is in the employee's own name.

Money leaves the centre only for a card the payment bank has confirmed exists, is in the
applicant's name and can receive money (自动支取入账). The bank is asked before any transaction
opens (never the network inside one); only then is the card recorded, verified, by
:func:`accounts.services.set_bank_card`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from accounts.services import AccountsError, set_bank_card
from core.identity import check_bank_card
from integrations.bank.ports import BankUnavailable
from integrations.bank.registry import payment_bank


class CardRefused(AccountsError):
    code = "CARD_REFUSED"


class CardCheckUnavailable(AccountsError):
    code = "CARD_CHECK_UNAVAILABLE"
    http_status = 503


def register_payout_card(*, person: Person, card_number: str, actor) -> Person:
    """Check the card with the payment bank and record it as the person's verified payout card.

    Raises ``InvalidBankCard`` for a malformed number, :class:`CardRefused` (codes
    ``CARD_NOT_FOUND``, ``CARD_NAME_MISMATCH``, ``CARD_FROZEN``) when the bank says no, and
    :class:`CardCheckUnavailable` when it does not answer; the card on record is then unchanged.
    """
    card = check_bank_card(card_number)
    try:
        answer = payment_bank().verify_card(
            card_no=card.number,
            holder_name=person.name,
            id_number=person.id_number,
            timeout=settings.BANK_TIMEOUT_S,
        )
    except BankUnavailable:
        raise CardCheckUnavailable(
            _("The bank did not answer in time; your card is unchanged. Please try again in a minute.")
        ) from None
    if not answer.exists:
        raise CardRefused(_("The bank has no such card. Check the number."), code="CARD_NOT_FOUND")
    if not answer.name_matches:
        raise CardRefused(
            _("The bank says this card is not in your name: money is paid only to a card of your own."),
            code="CARD_NAME_MISMATCH",
        )
    if answer.frozen:
        raise CardRefused(
            _("The bank says this card is frozen and cannot receive money. Register another card."),
            code="CARD_FROZEN",
        )
    return set_bank_card(person=person, card_number=card.number, verified_at=timezone.now(), actor=actor)
