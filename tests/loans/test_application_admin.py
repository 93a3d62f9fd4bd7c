"""Staff look loan applications up in the admin; nobody changes them there."""

import pytest
from django.urls import reverse

from loans.services import apply_for_loan
from tests.accounts.factories import UserFactory
from tests.approvals.conftest import _fresh_parameters, gov_log, sources  # noqa: F401 (fixtures)
from tests.loans.factories import buying, credit, depositor, terms

pytestmark = pytest.mark.django_db


class TestLoanApplicationAdmin:
    def test_shows_an_application_read_only(self, client, sources):  # noqa: F811 (fixture)
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        loan = apply_for_loan(applicant=person, terms=terms(), consent=True, channel="WEB", actor=person.user)
        client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

        listed = client.get(reverse("admin:loans_loanapplication_changelist"))
        shown = client.get(reverse("admin:loans_loanapplication_change", args=[loan.pk]))
        added = client.get(reverse("admin:loans_loanapplication_add"))

        assert listed.status_code == 200
        assert person.name in listed.content.decode()
        assert shown.status_code == 200
        assert 'name="amount"' not in shown.content.decode()
        assert added.status_code == 403
