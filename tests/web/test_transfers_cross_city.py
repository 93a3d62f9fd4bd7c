"""An employee brings their fund here from another city in the hall, and follows transfers in and out."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts import roles
from accounts.models import AccountStatus, FundAccount
from accounts.roles import ensure_roles
from integrations.transfer_platform import ports
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.sandbox import SandboxTransferPlatform
from integrations.transfer_platform.testing import use_platform
from ledger.selectors import balance_of
from tests.accounts.factories import UserFactory
from tests.transfers.factories import active_account, letter_about, reply, sealed_account
from transfers import incoming, outgoing
from transfers.incoming import apply_incoming
from transfers.models import IncomingStatus, IncomingTransfer
from transfers.sweep import sweep_transfers
from web.templatetags.portal import yuan

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
PAGE = "web:hall-transfer-cross-city"
SHANGHAI = "310000"


@pytest.fixture
def platform():
    with use_platform(FakeTransferPlatform()) as platform:
        yield platform


@pytest.fixture
def logged_in(client, employee):
    client.force_login(employee)
    return client


def apply(client, city=SHANGHAI):
    return client.post(reverse(PAGE), {"sending_city": city}, headers=ENGLISH, follow=True)


def detail(client, transfer):
    return client.get(reverse("web:hall-transfer-incoming-detail", args=[transfer.pk]), headers=ENGLISH)


def with_login(account):
    user = UserFactory()
    user.groups.add(ensure_roles()[roles.EMPLOYEE])
    account.person.user = user
    account.person.save(update_fields=["user"])
    return user


def sent_for(account):
    transfer = apply_incoming(
        person=account.person, sending_city_code=SHANGHAI, sending_city_name="上海市", actor=None
    )
    return incoming.send_letter(transfer_id=transfer.pk)


class TestApplicationForm:
    def test_offers_major_cities_by_name_and_code_but_not_our_own(self, logged_in, settings):
        response = logged_in.get(reverse(PAGE), headers=ENGLISH)

        codes = [city.code for city in response.context["cities"]]
        assert '<option value="310000">Shanghai (310000)</option>' in response.text
        assert {"110000", "440300", "510100"} <= set(codes)
        assert settings.FUND_CENTRE_CODE not in codes
        assert "Nothing else is needed" in response.text

    def test_names_the_cities_in_chinese_by_default(self, logged_in):
        response = logged_in.get(reverse(PAGE))

        assert '<option value="310000">上海市 (310000)</option>' in response.text
        assert "无需提供任何其他材料" in response.text

    def test_sends_the_request_and_shows_the_letter_on_its_way(
        self, logged_in, employee_account, platform, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = apply(logged_in)
        transfer = IncomingTransfer.objects.get(person=employee_account.person)

        page = detail(logged_in, transfer)

        assert (transfer.sending_city_code, transfer.sending_city_name) == (SHANGHAI, "上海市")
        assert transfer.status == IncomingStatus.SENT
        assert response.redirect_chain[-1][0] == reverse(
            "web:hall-transfer-incoming-detail", args=[transfer.pk]
        )
        assert "We write to the Shanghai (310000) centre now" in response.text
        assert "Contact letter sent to the Shanghai (310000) centre" in page.text
        assert "The money arrives in your account and the deposit months are merged." in page.text

    def test_refuses_a_city_that_is_not_in_the_list(self, logged_in, employee_account, settings):
        unknown = apply(logged_in, city="999999")
        ours = apply(logged_in, city=settings.FUND_CENTRE_CODE)

        assert "Choose the city your fund is in from the list." in unknown.text
        assert "Choose the city your fund is in from the list." in ours.text
        assert not IncomingTransfer.objects.exists()

    def test_refuses_a_second_request_while_one_is_under_way(self, logged_in, employee_account, platform):
        first = sent_for(employee_account)

        response = apply(logged_in, city="110000")

        assert "A transfer in is already under way." in response.text
        assert list(IncomingTransfer.objects.values_list("pk", flat=True)) == [first.pk]
        assert 'id="open-transfer"' in response.text

    def test_explains_that_a_sealed_account_cannot_receive_a_transfer(self, logged_in, employee_account):
        FundAccount.objects.filter(pk=employee_account.pk).update(
            status=AccountStatus.SEALED, sealed_on=date(2026, 9, 1)
        )

        response = apply(logged_in)

        assert "A transfer in needs an active fund account here." in response.text
        assert 'id="apply-form"' not in response.text
        assert not IncomingTransfer.objects.exists()

    def test_is_for_employees_only(self, client, preparer):
        client.force_login(preparer)

        assert client.get(reverse(PAGE)).status_code == 403
        assert client.post(reverse(PAGE), {"sending_city": SHANGHAI}).status_code == 403

    def test_is_linked_from_the_hall_and_from_the_intra_city_page(self, logged_in):
        home = logged_in.get(reverse("web:hall-home"))
        intra = logged_in.get(reverse("web:hall-transfer-intra"))

        assert f'href="{reverse(PAGE)}"' in home.text
        assert f'href="{reverse(PAGE)}"' in intra.text


class TestIncomingTransferPage:
    def test_lists_the_persons_transfers_with_their_latest_step(self, logged_in, employee_account, platform):
        transfer = sent_for(employee_account)
        platform.refuse(transfer.letter_ref, ports.ACCOUNT_NOT_SEALED)
        incoming.follow_letter(transfer_id=transfer.pk)

        response = logged_in.get(reverse(PAGE), headers=ENGLISH)

        assert reverse("web:hall-transfer-incoming-detail", args=[transfer.pk]) in response.text
        assert "Refused by the sending centre" in response.text
        assert "refused the transfer: The account is not sealed." in response.text

    def test_shows_the_refusal_reason_in_words(self, logged_in, employee_account, platform):
        transfer = sent_for(employee_account)
        platform.refuse(transfer.letter_ref, ports.LOAN_UNSETTLED)
        incoming.follow_letter(transfer_id=transfer.pk)

        response = detail(logged_in, transfer)

        assert response.context["refusal_reason"] == "A loan or guarantee is not settled"
        assert 'id="refusal-card"' in response.text
        assert "refused the transfer: A loan or guarantee is not settled." in response.text

    def test_shows_the_amount_credited_and_the_months_merged(self, logged_in, employee_account, platform):
        transfer = sent_for(employee_account)
        platform.answer(transfer.letter_ref, reply(principal=5_000_000, interest=12_345, months=48))
        incoming.follow_letter(transfer_id=transfer.pk)

        response = detail(logged_in, transfer)

        assert '<strong class="amount" id="credited-amount">50,123.45</strong>' in response.text
        assert '<dd id="merged-months">48</dd>' in response.text
        assert (
            "50,123.45 yuan credited to your account; 48 deposit months merged with yours." in response.text
        )
        assert [row.done for row in response.context["steps"]] == [True, True, True]
        assert response.context["refresh"] is None

    def test_keeps_refreshing_and_names_the_steps_to_come_while_under_way(
        self, logged_in, employee_account, platform
    ):
        transfer = sent_for(employee_account)

        response = detail(logged_in, transfer)

        assert [(row.step, row.done) for row in response.context["steps"]] == [
            ("APPLIED", True),
            ("LETTER_SENT", True),
            ("LETTER_RECEIVED", False),
            ("COMPLETED", False),
        ]
        assert '<meta http-equiv="refresh" content="20">' in response.text

    def test_is_not_found_for_another_persons_transfer(self, logged_in, platform):
        someone_else = sent_for(active_account())

        assert detail(logged_in, someone_else).status_code == 404


class TestCompletedInTheSandbox:
    @freeze_time("2026-09-30 10:00:00+08:00")
    def test_shows_the_completed_step_once_the_sweep_has_run(
        self, logged_in, employee_account, settings, django_capture_on_commit_callbacks
    ):
        settings.SANDBOX_PLATFORM_DELAY_MS = 0
        settings.SANDBOX_PLATFORM_REFUSAL_RATE = "0"
        settings.SANDBOX_PLATFORM_NEGOTIATION_RATE = "0"
        before = balance_of(employee_account.ledger_account)
        with use_platform(SandboxTransferPlatform()):
            with django_capture_on_commit_callbacks(execute=True):
                apply(logged_in)
            for _minute in range(3):
                sweep_transfers()
        transfer = IncomingTransfer.objects.get(person=employee_account.person)

        response = detail(logged_in, transfer)

        assert transfer.status == IncomingStatus.COMPLETED
        assert balance_of(employee_account.ledger_account) == before + transfer.amount
        steps = [row.step for row in response.context["steps"]]
        assert (steps[:2], steps[-1]) == (["APPLIED", "LETTER_SENT"], "COMPLETED")
        assert "Transferred in" in response.text
        assert (
            f"{yuan(transfer.amount)} yuan credited to your account; "
            f"{transfer.merged_months} deposit months merged with yours."
        ) in response.text


@pytest.fixture
def leaver(platform):
    """A sealed account holder with a login, about whom another centre writes."""
    account = sealed_account(deposits=((240_000, date(2026, 7, 1)), (60_000, date(2026, 8, 15))))
    with_login(account)
    platform.deliver(letter_about(account, platform_ref="PLT0001"))
    (transfer,) = outgoing.receive_letters()
    return account, transfer


class TestOutgoingTransferPage:
    @freeze_time("2026-09-30 10:00:00+08:00")
    def test_shows_the_transfer_out_to_the_closed_account(self, client, leaver, platform):
        account, transfer = leaver
        outgoing.check_letter(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)
        platform.complete_out("PLT0001")
        outgoing.confirm_transfer(transfer_id=transfer.pk)
        client.force_login(account.person.user)

        listing = client.get(reverse(PAGE), headers=ENGLISH)
        response = client.get(
            reverse("web:hall-transfer-outgoing-detail", args=[transfer.pk]), headers=ENGLISH
        )

        assert reverse("web:hall-transfer-outgoing-detail", args=[transfer.pk]) in listing.text
        assert '<strong class="amount" id="transferred-amount">3,010.38</strong>' in response.text
        assert [row.step for row in response.context["steps"]] == [
            "LETTER_RECEIVED",
            "CHECKED",
            "ANSWERED",
            "TRANSFERRED_OUT",
        ]
        assert "your account here is closed" in response.text

    def test_shows_a_refusal_with_its_reason(self, client, platform):
        account = active_account()
        with_login(account)
        platform.deliver(letter_about(account, platform_ref="PLT0002"))
        (transfer,) = outgoing.receive_letters()
        outgoing.check_letter(transfer_id=transfer.pk)
        client.force_login(account.person.user)

        response = client.get(
            reverse("web:hall-transfer-outgoing-detail", args=[transfer.pk]), headers=ENGLISH
        )

        assert "Your fund cannot be transferred now: The account is not sealed." in response.text
        assert [(row.step, row.done) for row in response.context["steps"]] == [
            ("LETTER_RECEIVED", True),
            ("CHECKED", True),
            ("ANSWERED", False),
        ]

    def test_is_not_found_for_another_persons_transfer(self, logged_in, leaver):
        _account, transfer = leaver

        response = logged_in.get(reverse("web:hall-transfer-outgoing-detail", args=[transfer.pk]))

        assert response.status_code == 404
