"""A payout to a card that is not the applicant's (finance, high).

Money leaves only for a card the payment bank confirmed is in the applicant's own name
(``accounts.cards``). The payout row keeps the card and holder it was sent with; this rule
compares them with the person: the holder's name, the card on record, whether the bank verified
it, and whether the same card is on record for someone else (found by its last four digits, then
compared decrypted, as cards have no blind index).

A loan's disbursement is paid to the seller's account named in the purchase contract, not to the
borrower: it is not the applicant's card by design, and this rule leaves it out.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from accounts.models import Person
from audit.models import AuditEvent
from core.crypto import mask_bank_card, mask_id_number, mask_name
from core.money import format_yuan
from inspection.rules._common import day_bounds, target_pk
from inspection.rules.base import FINANCE, HIGH, Finding
from loans.disbursement import DISBURSEMENT_PURPOSE
from payouts.models import Payout

HOLDER_NAME_DIFFERS = "HOLDER_NAME_DIFFERS"
CARD_NOT_ON_RECORD = "CARD_NOT_ON_RECORD"
CARD_NOT_VERIFIED = "CARD_NOT_VERIFIED"
CARD_OF_ANOTHER_PERSON = "CARD_OF_ANOTHER_PERSON"
# Payouts whose payee is by design someone other than the applicant.
OTHER_PAYEE_PURPOSES = frozenset({DISBURSEMENT_PURPOSE})


def _digits(value: str | None) -> str:
    return "".join((value or "").split())


class PayoutCardNotApplicants:
    code = "payout_card_not_applicants"
    family = FINANCE
    severity = HIGH
    actions = frozenset({"payouts.created"})

    def title(self) -> str:
        return _("Payout to a card not in the applicant's name")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        pk = target_pk(event, Payout)
        payout = Payout.objects.select_related("person").filter(pk=pk).first() if pk else None
        return self._check(payout) if payout is not None else []

    def sweep(self, *, day: date) -> list[Finding]:
        start, end = day_bounds(day)
        payouts = Payout.objects.select_related("person").filter(created_at__gte=start, created_at__lt=end)
        return [finding for payout in payouts.order_by("pk") for finding in self._check(payout)]

    def _check(self, payout: Payout) -> list[Finding]:
        if payout.purpose in OTHER_PAYEE_PURPOSES:
            return []
        person = payout.person
        card = _digits(payout.card_no)
        problems = []
        if payout.holder_name.strip() != person.name.strip():
            problems.append(HOLDER_NAME_DIFFERS)
        if _digits(person.bank_card) != card:
            problems.append(CARD_NOT_ON_RECORD)
        elif person.bank_card_verified_at is None:
            problems.append(CARD_NOT_VERIFIED)
        others = [
            other
            for other in Person.objects.filter(bank_card_last4=card[-4:])
            .exclude(pk=person.pk)
            .only("bank_card", "id_number")
            if _digits(other.bank_card) == card
        ]
        if others:
            problems.append(CARD_OF_ANOTHER_PERSON)
        if not problems:
            return []
        evidence = {
            "payout": payout.pk,
            "reference": payout.reference,
            "purpose": payout.purpose,
            "amount_fen": payout.amount,
            "card": mask_bank_card(card),
            "holder": mask_name(payout.holder_name),
            "applicant": mask_name(person.name),
            "applicant_id_number": mask_id_number(person.id_number),
            "card_on_record": mask_bank_card(person.bank_card) if person.bank_card else "",
            "problems": problems,
        }
        if others:
            evidence["card_also_on_record_for"] = [mask_id_number(other.id_number) for other in others]
        title = _("Payout %(reference)s of %(amount)s yuan goes to card %(card)s, not the applicant's") % {
            "reference": payout.reference,
            "amount": format_yuan(payout.amount),
            "card": mask_bank_card(card),
        }
        return [
            Finding(
                rule=self.code,
                severity=self.severity,
                subject=f"payout:{payout.pk}",
                title=title,
                evidence=evidence,
            )
        ]
