import pytest
from django.urls import reverse

from integrations.bank import payments
from integrations.bank.sandbox import SandboxPaymentBank
from integrations.models import SandboxPayment
from tests.payouts.factories import CARD, make_payout

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client.force_login(user)
    return client


class TestPayoutAdmin:
    def test_lists_payouts_with_the_card_masked(self, client_admin):
        payout = make_payout()

        page = client_admin.get(reverse("admin:payouts_payout_changelist")).content.decode()

        assert payout.reference in page
        assert "6222 **** **** 0123" in page
        assert CARD not in page

    def test_shows_one_payout_without_the_card_number(self, client_admin):
        payout = make_payout()

        page = client_admin.get(reverse("admin:payouts_payout_change", args=[payout.pk])).content.decode()

        assert payout.reference in page
        assert CARD not in page

    def test_offers_no_way_to_add_a_payout(self, client_admin):
        assert client_admin.get(reverse("admin:payouts_payout_add")).status_code == 403


class TestSandboxPaymentAdmin:
    def test_lists_the_sandbox_bank_s_payments_without_card_numbers(self, client_admin):
        instruction = payments.PaymentInstruction(
            reference="PO-ADMIN", card_no=CARD, holder_name="王小明", amount=100, memo=""
        )
        SandboxPaymentBank().submit_payments(instructions=[instruction], timeout=1)

        page = client_admin.get(reverse("admin:integrations_sandboxpayment_changelist")).content.decode()
        detail = client_admin.get(
            reverse("admin:integrations_sandboxpayment_change", args=[SandboxPayment.objects.get().pk])
        ).content.decode()

        assert "PO-ADMIN" in page
        assert CARD not in page
        assert CARD not in detail
