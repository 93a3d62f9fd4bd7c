"""change_employer_rates: a unit chooses its two contribution rates within 5%–12%, audited."""

import pytest

from accounts import roles
from accounts.models import Employer, EmployerStatus
from accounts.services import EmployerNotActive, InvalidRate, NotOperatorOfUnit, change_employer_rates
from audit.models import AuditEvent
from tests.accounts.factories import EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(db):
    user = UserFactory(employer=EmployerFactory())
    user.groups.add(roles.ensure_roles()[roles.EMPLOYER_APPROVER])
    return user


class TestChangeEmployerRates:
    def test_stores_both_rates_and_records_from_and_to(self, approver):
        employer = approver.employer

        change_employer_rates(employer=employer, employer_rate_bp=800, employee_rate_bp=500, actor=approver)

        employer.refresh_from_db()
        assert (employer.employer_rate_bp, employer.employee_rate_bp) == (800, 500)
        event = AuditEvent.objects.get(action="accounts.employer_rates_changed")
        assert event.data["employer_rate_bp"] == {"from": 1200, "to": 800}
        assert event.actor_id == approver.pk

    @pytest.mark.parametrize("rate", [499, 1201, 0])
    def test_refuses_a_rate_outside_five_to_twelve_percent(self, approver, rate):
        with pytest.raises(InvalidRate) as refused:
            change_employer_rates(
                employer=approver.employer, employer_rate_bp=1200, employee_rate_bp=rate, actor=approver
            )

        assert refused.value.field == "employee_rate_bp"
        assert Employer.objects.get(pk=approver.employer_id).employee_rate_bp == 1200

    def test_writes_nothing_when_the_rates_do_not_change(self, approver):
        change_employer_rates(
            employer=approver.employer, employer_rate_bp=1200, employee_rate_bp=1200, actor=approver
        )

        assert not AuditEvent.objects.filter(action="accounts.employer_rates_changed").exists()

    def test_refuses_a_closed_unit(self, approver):
        Employer.objects.filter(pk=approver.employer_id).update(status=EmployerStatus.CLOSED)

        with pytest.raises(EmployerNotActive):
            change_employer_rates(
                employer=approver.employer, employer_rate_bp=500, employee_rate_bp=500, actor=approver
            )

    def test_refuses_an_operator_of_another_unit(self, approver):
        other = EmployerFactory()

        with pytest.raises(NotOperatorOfUnit):
            change_employer_rates(employer=other, employer_rate_bp=500, employee_rate_bp=500, actor=approver)

        assert Employer.objects.get(pk=other.pk).employer_rate_bp == 1200
