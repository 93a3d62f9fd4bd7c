"""Revealing a person's full ID or card number: permission, reason, record and audit event."""

import pytest
from django.db import DatabaseError, transaction

from accounts import roles
from accounts.disclosure import (
    UnmaskNotAllowed,
    UnmaskReasonTooShort,
    may_unmask,
    reveal_personal_data,
)
from accounts.models import PersonalDataAccess
from audit.models import AuditEvent
from core.request_context import acting_through
from tests.privacy.conftest import CARD

REASON = "Caller on case 2026-118 asked to confirm the card the refund went to"


@pytest.mark.django_db
class TestMayUnmask:
    @pytest.mark.parametrize(
        "role",
        [roles.STAFF_SECTION_CHIEF, roles.STAFF_DEPUTY_DIRECTOR, roles.STAFF_DIRECTOR, roles.ADMIN],
    )
    def test_allows_section_chiefs_and_above(self, staff_with_role, role):
        user = staff_with_role(role)

        allowed = may_unmask(user)

        assert allowed

    @pytest.mark.parametrize("role", [roles.STAFF_CLERK, roles.STAFF_AUDITOR, roles.EMPLOYEE])
    def test_refuses_clerks_auditors_and_employees(self, staff_with_role, role):
        user = staff_with_role(role)

        allowed = may_unmask(user)

        assert not allowed


@pytest.mark.django_db
class TestRevealPersonalData:
    def test_returns_the_full_id_number(self, chief, person):
        value = reveal_personal_data(actor=chief, person=person, field="id_number", reason=REASON)

        assert value == person.id_number

    def test_returns_the_full_card_number(self, chief, person):
        value = reveal_personal_data(actor=chief, person=person, field="bank_card", reason=REASON)

        assert value == CARD

    def test_records_who_whose_which_why_and_where(self, chief, person):
        with acting_through("web", source_ip="10.2.3.4"):
            reveal_personal_data(actor=chief, person=person, field="bank_card", reason=REASON)

        access = PersonalDataAccess.objects.get()
        assert (access.actor, access.person, access.field) == (chief, person, "bank_card")
        assert access.reason == REASON
        assert (access.channel, access.source_ip) == ("web", "10.2.3.4")

    def test_writes_a_masked_audit_event(self, chief, person):
        reveal_personal_data(actor=chief, person=person, field="id_number", reason=REASON)

        event = AuditEvent.objects.get(action="privacy.unmask")
        assert event.target_id == str(person.pk)
        assert person.id_number not in event.summary
        assert person.masked_id_number in event.summary

    def test_refuses_a_clerk_and_records_nothing(self, staff_with_role, person):
        clerk = staff_with_role(roles.STAFF_CLERK)

        with pytest.raises(UnmaskNotAllowed):
            reveal_personal_data(actor=clerk, person=person, field="id_number", reason=REASON)

        assert not PersonalDataAccess.objects.exists()

    def test_refuses_a_reason_too_short(self, chief, person):
        with pytest.raises(UnmaskReasonTooShort):
            reveal_personal_data(actor=chief, person=person, field="id_number", reason="  check ")

        assert not AuditEvent.objects.filter(action="privacy.unmask").exists()

    def test_masks_a_number_typed_into_the_reason(self, chief, person):
        reason = f"Person at the counter wrote {person.id_number} on the form"

        reveal_personal_data(actor=chief, person=person, field="id_number", reason=reason)

        stored = PersonalDataAccess.objects.get().reason
        assert person.id_number not in stored
        assert person.masked_id_number in stored


@pytest.mark.django_db
class TestPersonalDataAccessRecord:
    def test_refuses_an_update(self, chief, person):
        reveal_personal_data(actor=chief, person=person, field="id_number", reason=REASON)

        with pytest.raises(DatabaseError), transaction.atomic():
            PersonalDataAccess.objects.update(reason="nothing to see here, really")

        assert PersonalDataAccess.objects.get().reason == REASON

    def test_refuses_a_delete(self, chief, person):
        reveal_personal_data(actor=chief, person=person, field="id_number", reason=REASON)

        with pytest.raises(DatabaseError), transaction.atomic():
            PersonalDataAccess.objects.all().delete()

        assert PersonalDataAccess.objects.count() == 1
