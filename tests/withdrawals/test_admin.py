import pytest
from django.urls import reverse

from tests.withdrawals.factories import account_with, approved
from withdrawals.services import pay_withdrawal

pytestmark = pytest.mark.django_db


class TestWithdrawalsAdmin:
    @pytest.mark.parametrize("model", ["withdrawalpayment", "standinginstruction", "instalmentpayment"])
    def test_lists_the_records_read_only(self, admin_client, model):
        account = account_with(verified=False)
        pay_withdrawal(application_id=approved(account.person, "RENT").pk)

        page = admin_client.get(reverse(f"admin:withdrawals_{model}_changelist"))
        add = admin_client.get(reverse(f"admin:withdrawals_{model}_add"))

        assert page.status_code == 200
        assert add.status_code == 403
