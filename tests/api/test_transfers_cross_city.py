"""Channel apps bring a person's fund here from another city and follow their transfers in and out."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import AccountStatus, FundAccount
from accounts.roles import ensure_roles
from integrations.transfer_platform import ports
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.testing import use_platform
from tests.accounts.factories import UserFactory
from tests.transfers.factories import active_account, letter_about, reply, sealed_account
from transfers import incoming, outgoing
from transfers.incoming import apply_incoming
from transfers.models import IncomingStatus, IncomingTransfer

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def platform():
    with use_platform(FakeTransferPlatform()) as platform:
        yield platform


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


def apply(api, **body):
    return api.post(reverse("api:transfers-incoming"), body, format="json", headers=ENGLISH)


def get(api, name, *args):
    return api.get(reverse(f"api:{name}", args=args), headers=ENGLISH)


def sent_for(account, city=("310000", "上海市")):
    transfer = apply_incoming(
        person=account.person, sending_city_code=city[0], sending_city_name=city[1], actor=None
    )
    return incoming.send_letter(transfer_id=transfer.pk)


def employee_of(account):
    user = UserFactory()
    user.groups.add(ensure_roles()[roles.EMPLOYEE])
    account.person.user = user
    account.person.save(update_fields=["user"])
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestApplyForATransferIn:
    def test_answers_201_with_the_request_and_its_first_step(self, api, employee_account, platform):
        response = apply(api, sending_city_code="310000")

        body = response.json()
        assert response.status_code == 201
        assert (body["status"], body["sending_city_code"], body["sending_city_name"]) == (
            "PENDING",
            "310000",
            "上海市",
        )
        assert body["account_no"] == employee_account.account_no
        assert [step["step"] for step in body["timeline"]] == ["APPLIED"]
        assert body["steps_to_come"] == ["LETTER_SENT", "COMPLETED"]
        assert body["amount"] is None
        assert IncomingTransfer.objects.get(pk=body["id"]).person == employee_account.person

    def test_sends_the_letter_after_commit(
        self, api, employee_account, platform, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = apply(api, sending_city_code="440300", sending_city_name="深圳")

        transfer = IncomingTransfer.objects.get(pk=response.json()["id"])
        assert transfer.status == IncomingStatus.SENT
        assert transfer.sending_city_name == "深圳"
        assert platform.letters[transfer.letter_ref].sending_city_code == "440300"

    def test_accepts_a_city_that_is_not_listed_by_its_code(self, api, employee_account, platform):
        response = apply(api, sending_city_code="441200")

        assert response.status_code == 201
        assert response.json()["sending_city_name"] == "441200"

    def test_refuses_a_code_that_is_not_six_digits(self, api, employee_account, platform):
        response = apply(api, sending_city_code="3100")

        assert response.status_code == 400
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert response.json()["errors"][0]["field"] == "sending_city_code"

    def test_refuses_our_own_city(self, api, employee_account, platform, settings):
        response = apply(api, sending_city_code=settings.FUND_CENTRE_CODE)

        assert (response.status_code, response.json()["code"]) == (400, "INVALID_CITY")
        assert response.json()["errors"][0]["field"] == "sending_city"

    def test_refuses_a_second_request_while_one_is_under_way(self, api, employee_account, platform):
        sent_for(employee_account)

        response = apply(api, sending_city_code="110000")

        assert (response.status_code, response.json()["code"]) == (409, "TRANSFER_ALREADY_OPEN")
        assert response.json()["detail"] == "A transfer in is already under way."
        assert IncomingTransfer.objects.count() == 1

    def test_refuses_without_an_active_account_here(self, api, employee_account, platform):
        FundAccount.objects.filter(pk=employee_account.pk).update(
            status=AccountStatus.SEALED, sealed_on=date(2026, 9, 1)
        )

        response = apply(api, sending_city_code="310000")

        assert (response.status_code, response.json()["code"]) == (409, "NO_ACTIVE_ACCOUNT")
        assert not IncomingTransfer.objects.exists()

    def test_is_for_employees_only(self, preparer, clerk, platform):
        for user in (preparer, clerk):
            client = APIClient()
            client.force_authenticate(user)

            response = apply(client, sending_city_code="310000")

            assert (response.status_code, response.json()["code"]) == (403, "PERMISSION_DENIED")
        assert not IncomingTransfer.objects.exists()


class TestFollowTransfersIn:
    def test_shows_the_credit_with_the_amount_and_the_merged_months(self, api, employee_account, platform):
        transfer = sent_for(employee_account)
        platform.answer(transfer.letter_ref, reply(principal=5_000_000, interest=12_345, months=48))
        incoming.follow_letter(transfer_id=transfer.pk)

        body = get(api, "transfers-incoming-detail", transfer.pk).json()

        assert (body["status"], body["platform_status"]) == ("COMPLETED", "00")
        assert (body["amount"], body["principal"], body["interest"]) == ("50123.45", "50000.00", "123.45")
        assert body["merged_months"] == 48
        assert body["steps_to_come"] == []
        completed = body["timeline"][-1]
        assert (completed["step"], completed["platform_status"], completed["amount"]) == (
            "COMPLETED",
            "00",
            "50123.45",
        )
        assert completed["merged_months"] == 48

    def test_shows_a_refusal_with_its_reason_in_the_request_language(self, api, employee_account, platform):
        transfer = sent_for(employee_account)
        platform.refuse(transfer.letter_ref, ports.WITHDRAWAL_OPEN)
        incoming.follow_letter(transfer_id=transfer.pk)

        english = get(api, "transfers-incoming-detail", transfer.pk).json()
        chinese = api.get(reverse("api:transfers-incoming-detail", args=[transfer.pk])).json()

        assert (english["status"], english["refusal_code"]) == ("REFUSED", "WITHDRAWAL_OPEN")
        assert english["refusal_reason"] == "A withdrawal application is open"
        assert chinese["refusal_reason"] == "有正在办理的提取申请"
        assert english["timeline"][-1]["step"] == "REFUSED"
        assert english["timeline"][-1]["platform_status"] == "13"

    def test_lists_only_the_callers_own_newest_first(self, api, employee_account, platform):
        someone_else = sent_for(active_account())
        older = sent_for(employee_account)
        platform.set_status(older.letter_ref, ports.CANCELLED)
        incoming.follow_letter(transfer_id=older.pk)
        newer = sent_for(employee_account, city=("110000", "北京市"))

        body = get(api, "transfers-incoming").json()

        assert [row["id"] for row in body] == [newer.pk, older.pk]
        assert someone_else.pk not in [row["id"] for row in body]
        assert [step["step"] for step in body[1]["timeline"]] == ["APPLIED", "LETTER_SENT", "CANCELLED"]

    def test_reads_the_timelines_of_the_list_in_a_fixed_number_of_queries(
        self, api, employee_account, platform, django_assert_max_num_queries
    ):
        for city in (("310000", "上海市"), ("110000", "北京市"), ("440300", "深圳市")):
            transfer = sent_for(employee_account, city=city)
            platform.set_status(transfer.letter_ref, ports.FAILED)
            incoming.follow_letter(transfer_id=transfer.pk)

        with django_assert_max_num_queries(4):
            body = get(api, "transfers-incoming").json()

        assert len(body) == 3

    def test_is_not_found_for_another_persons_transfer(self, api, platform):
        someone_else = sent_for(active_account())

        response = get(api, "transfers-incoming-detail", someone_else.pk)

        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")


@pytest.fixture
def leaver(platform):
    """A sealed account holder another centre wrote about, with an API client of their own."""
    account = sealed_account(deposits=((240_000, date(2026, 7, 1)), (60_000, date(2026, 8, 15))))
    client = employee_of(account)
    platform.deliver(letter_about(account, platform_ref="PLT0001"))
    (transfer,) = outgoing.receive_letters()
    return client, transfer


class TestFollowTransfersOut:
    @freeze_time("2026-09-30 10:00:00+08:00")
    def test_shows_the_transfer_out_to_the_closed_account(self, leaver, platform):
        client, transfer = leaver
        outgoing.check_letter(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)
        platform.complete_out("PLT0001")
        outgoing.confirm_transfer(transfer_id=transfer.pk)

        listing = get(client, "transfers-outgoing").json()
        body = get(client, "transfers-outgoing-detail", transfer.pk).json()

        assert [row["id"] for row in listing] == [transfer.pk]
        assert (body["status"], body["amount"], body["interest"]) == ("CLOSED", "3010.38", "10.38")
        assert body["receiving_city_name"] == "上海市"
        assert [(s["step"], s["outcome"]) for s in body["timeline"]] == [
            ("LETTER_RECEIVED", ""),
            ("CHECKED", "PASSED"),
            ("ANSWERED", "REPLIED"),
            ("TRANSFERRED_OUT", ""),
        ]
        assert body["closed_at"] is not None

    def test_shows_a_refusal_with_its_reason(self, platform):
        account = active_account()
        client = employee_of(account)
        platform.deliver(letter_about(account, platform_ref="PLT0002"))
        (transfer,) = outgoing.receive_letters()
        outgoing.check_letter(transfer_id=transfer.pk)

        body = get(client, "transfers-outgoing-detail", transfer.pk).json()

        assert (body["status"], body["refusal_code"]) == ("REFUSING", "ACCOUNT_NOT_SEALED")
        assert body["refusal_reason"] == "The account is not sealed"
        assert body["steps_to_come"] == ["ANSWERED"]

    def test_is_not_found_for_another_persons_transfer(self, api, leaver):
        _client, transfer = leaver

        response = get(api, "transfers-outgoing-detail", transfer.pk)

        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")
        assert get(api, "transfers-outgoing").json() == []

    def test_is_read_only(self, leaver):
        client, _transfer = leaver

        response = client.post(reverse("api:transfers-outgoing"), {}, format="json")

        assert response.status_code == 405

    def test_is_for_employees_only(self, clerk):
        client = APIClient()
        client.force_authenticate(clerk)

        assert get(client, "transfers-outgoing").status_code == 403
