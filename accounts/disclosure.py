"""Unmasking: a senior member of staff reads one person's full ID or card number, with a reason.

Everywhere else these numbers are shown masked. ``reveal_personal_data`` is the one way to the
clear value for a person: it checks the permission ``accounts.view_unmasked_personal_data``
and the reason, and writes the access record and its audit event (``privacy.unmask``) in the
transaction that reads the value, so no look goes unrecorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Person, PersonalDataAccess, PersonalField
from audit.services import record_event
from core.crypto import mask_bank_card, mask_id_number
from core.exceptions import DomainError
from core.logscrub import scrub
from core.request_context import current_context

UNMASK_PERMISSION = "accounts.view_unmasked_personal_data"


class UnmaskNotAllowed(DomainError):
    code = "UNMASK_NOT_ALLOWED"


class UnmaskReasonTooShort(DomainError):
    code = "UNMASK_REASON_TOO_SHORT"


class NothingToReveal(DomainError):
    code = "NOTHING_TO_REVEAL"


def may_unmask(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(UNMASK_PERMISSION))


def reason_min_length() -> int:
    return settings.PRIVACY_REVEAL_REASON_MIN_LENGTH


def _masked(field: str, value: str) -> str:
    return mask_id_number(value) if field == PersonalField.ID_NUMBER else mask_bank_card(value)


def reveal_personal_data(*, actor, person: Person, field: str, reason: str) -> str:
    """Return ``person``'s clear ``field`` (``id_number`` or ``bank_card``) and record who asked why."""
    if not may_unmask(actor):
        raise UnmaskNotAllowed(_("You may not see full ID or bank card numbers."))
    if field not in PersonalField.values:
        raise ValueError(f"{field!r} is not personal data that can be revealed")
    # A number typed into the reason would otherwise sit in clear in the record.
    reason = scrub(" ".join((reason or "").split()))
    minimum = reason_min_length()
    if len(reason) < minimum:
        raise UnmaskReasonTooShort(
            _("Give the reason in at least %(count)d characters.") % {"count": minimum}, field="reason"
        )
    context = current_context()
    with transaction.atomic(durable=True):
        # Read inside the transaction that records the look: a value read is a value recorded.
        value = getattr(Person.objects.get(pk=person.pk), field)
        if not value:
            raise NothingToReveal(_("There is no such number on file for this person."))
        access = PersonalDataAccess.objects.create(
            actor=actor,
            person=person,
            field=field,
            reason=reason,
            channel=context.channel,
            source_ip=context.source_ip or None,
        )
        record_event(
            actor=actor,
            action="privacy.unmask",
            target=person,
            summary=f"{field} of person {person.pk} revealed ({_masked(field, value)})",
            data={"access": access.pk, "field": field, "reason": reason},
        )
    return value


def accesses_to(person: Person, *, limit: int = 10) -> list[PersonalDataAccess]:
    """The latest looks at ``person``'s full numbers, newest first, for the person to see."""
    return list(PersonalDataAccess.objects.filter(person=person).order_by("-accessed_at", "-pk")[:limit])
