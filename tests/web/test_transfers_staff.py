"""Staff follow cross-city transfers in the portal: the list of what needs a look with its counts,
each transfer with its audit trail, "ask the platform now", and the sandbox's letter form."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts import roles
from accounts.models import AccountStatus
from audit.models import AuditEvent
from integrations.models import SandboxTransferLetter
from integrations.transfer_platform import ports
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.sandbox import SandboxTransferPlatform
from integrations.transfer_platform.testing import use_platform
from tests.accounts.factories import FundAccountFactory
from tests.loans.factories_approval import staff
from tests.transfers.factories import SHANGHAI, active_account, letter_about, reply, sealed_account
from tests.transfers.factories_staff import IncomingTransferFactory, OutgoingTransferFactory
from transfers import incoming, outgoing, staff_selectors
from transfers.models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer
from web import transfers_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_wednesday")]

ENGLISH = {"accept-language": "en"}
DEPOSITS = ((240_000, date(2026, 7, 1)), (60_000, date(2026, 8, 15)))


@pytest.fixture
def _wednesday():
    with freeze_time("2026-11-25 10:00:00+08:00"):
        yield


@pytest.fixture
def platform():
    with use_platform(FakeTransferPlatform()) as platform:
        yield platform


@pytest.fixture
def sandbox(settings):
    settings.SANDBOX_PLATFORM_DELAY_MS = 0
    with use_platform(SandboxTransferPlatform()) as platform:
        yield platform


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def listed(client, **query):
    return client.get(reverse("web:staff-transfers"), query, headers=ENGLISH)


def shown(response) -> set[tuple[str, int]]:
    return {(row["direction"], row["transfer"].pk) for row in response.context["rows"]}


def applied(account) -> IncomingTransfer:
    """A transfer in as the person's application leaves it: the letter not sent yet."""
    return incoming.apply_incoming(
        person=account.person, sending_city_code=SHANGHAI[0], sending_city_name=SHANGHAI[1], actor=None
    )


def received(platform, account, ref="PLT0001") -> OutgoingTransfer:
    platform.deliver(letter_about(account, platform_ref=ref))
    (transfer,) = outgoing.receive_letters()
    return transfer


def ask(client, transfer):
    name = (
        "web:staff-transfer-incoming-ask"
        if isinstance(transfer, IncomingTransfer)
        else "web:staff-transfer-outgoing-ask"
    )
    return client.post(reverse(name, args=[transfer.pk]), headers=ENGLISH, follow=True)


class TestWhoMaySee:
    def test_staff_see_the_transfers_page_from_the_console(self, client, clerk):
        client.force_login(clerk)

        home = client.get(reverse("web:staff-home"), headers=ENGLISH)
        page = listed(client)

        assert reverse("web:staff-transfers") in home.text
        assert page.status_code == 200
        assert "Cross-city transfers" in page.text

    @pytest.mark.parametrize("who", ["employee", "preparer"])
    def test_employees_and_employers_are_refused_every_page(self, client, who, request):
        transfer = IncomingTransferFactory()
        client.force_login(request.getfixturevalue(who))

        pages = [
            client.get(reverse("web:staff-transfers")),
            client.get(reverse("web:staff-transfer-incoming", args=[transfer.pk])),
            client.post(reverse("web:staff-transfer-incoming-ask", args=[transfer.pk])),
        ]

        assert [page.status_code for page in pages] == [403, 403, 403]

    def test_a_visitor_is_sent_to_log_in(self, client):
        response = client.get(reverse("web:staff-transfers"))

        assert response.status_code == 302
        assert reverse("web:login") in response["Location"]

    def test_the_auditor_reads_a_transfer_but_may_not_ask_the_platform(self, client, platform):
        transfer = IncomingTransferFactory(status=IncomingStatus.SENT)
        client.force_login(staff(roles.STAFF_AUDITOR))

        page = client.get(reverse("web:staff-transfer-incoming", args=[transfer.pk]), headers=ENGLISH)
        asked = client.post(reverse("web:staff-transfer-incoming-ask", args=[transfer.pk]))

        assert page.status_code == 200
        assert 'id="ask-now"' not in page.text
        assert asked.status_code == 403
        assert platform.calls == []


class TestTransfersPage:
    def test_shows_by_default_what_needs_a_person_s_look(self, client, clerk):
        negotiating = IncomingTransferFactory(status=IncomingStatus.NEGOTIATING)
        failed = OutgoingTransferFactory(status=OutgoingStatus.FAILED)
        refused_in = IncomingTransferFactory(status=IncomingStatus.REFUSED, refusal_code=ports.LOAN_UNSETTLED)
        refused_out = OutgoingTransferFactory(status=OutgoingStatus.REFUSED)
        stuck = IncomingTransferFactory(status=IncomingStatus.PENDING, updated_at=local(2026, 11, 23, 9))
        IncomingTransferFactory(status=IncomingStatus.SENT)
        IncomingTransferFactory(status=IncomingStatus.CANCELLED)
        OutgoingTransferFactory(status=OutgoingStatus.RECEIVED)
        client.force_login(clerk)

        response = listed(client)

        assert response.context["state"] == "attention"
        assert shown(response) == {
            ("in", negotiating.pk),
            ("out", failed.pk),
            ("in", refused_in.pk),
            ("out", refused_out.pk),
            ("in", stuck.pk),
        }

    def test_counts_each_state_at_the_top(self, client, clerk):
        IncomingTransferFactory(status=IncomingStatus.NEGOTIATING)
        IncomingTransferFactory(status=IncomingStatus.NEGOTIATING, updated_at=local(2026, 11, 20, 10))
        IncomingTransferFactory(status=IncomingStatus.FAILED)
        OutgoingTransferFactory(status=OutgoingStatus.REFUSED)
        OutgoingTransferFactory(status=OutgoingStatus.RECEIVED, updated_at=local(2026, 11, 24, 9))
        OutgoingTransferFactory(status=OutgoingStatus.RECEIVED)
        IncomingTransferFactory(status=IncomingStatus.CANCELLED)
        client.force_login(clerk)

        response = listed(client)

        counts = {each["state"]: each["count"] for each in response.context["states"]}
        assert counts == {
            "attention": 5,
            "negotiating": 2,
            "failed": 1,
            "refused": 1,
            "stuck": 2,
            "open": 4,
            "finished": 1,
            "all": 7,
        }
        assert 'id="state-stuck"' in response.text

    def test_filters_by_direction_and_state(self, client, clerk):
        failed_in = IncomingTransferFactory(status=IncomingStatus.FAILED)
        failed_out = OutgoingTransferFactory(status=OutgoingStatus.FAILED)
        open_out = OutgoingTransferFactory(status=OutgoingStatus.REFUSING)
        client.force_login(clerk)

        failed_going_out = listed(client, direction="out", state="failed")
        open_ones = listed(client, state="open")

        assert shown(failed_going_out) == {("out", failed_out.pk)}
        assert failed_going_out.context["states"][0]["count"] == 1
        assert shown(open_ones) == {("out", open_out.pk)}
        assert ("in", failed_in.pk) in shown(listed(client, state="all"))

    def test_a_letter_sent_before_the_weekend_is_stuck_only_once_a_working_day_has_passed(
        self, client, clerk
    ):
        friday_afternoon = IncomingTransferFactory(
            status=IncomingStatus.SENT, updated_at=local(2026, 11, 20, 15)
        )
        friday_morning = IncomingTransferFactory(
            status=IncomingStatus.SENT, updated_at=local(2026, 11, 20, 9)
        )
        client.force_login(clerk)

        with freeze_time("2026-11-23 10:00:00+08:00"):
            response = listed(client, state="stuck")

        assert shown(response) == {("in", friday_morning.pk)}
        assert ("in", friday_afternoon.pk) not in shown(response)

    def test_shows_the_person_masked_the_city_the_amount_and_the_refusal_in_words(self, client, clerk):
        refused = IncomingTransferFactory(
            status=IncomingStatus.REFUSED, platform_status=ports.REJECTED, refusal_code=ports.LOAN_UNSETTLED
        )
        failed = OutgoingTransferFactory(status=OutgoingStatus.FAILED, principal=5_000_000, interest=12_345)
        client.force_login(clerk)

        response = listed(client)

        assert refused.person.name in response.text
        assert refused.person.masked_id_number in response.text
        assert refused.person.id_number not in response.text
        assert failed.person.id_number not in response.text
        assert "上海市" in response.text and "北京市" in response.text
        assert "A loan or guarantee is not settled" in response.text
        assert "13 Rejected" in response.text
        assert "50,123.45" in response.text

    def test_pages_through_many_transfers(self, client, clerk, monkeypatch):
        monkeypatch.setattr(transfers_staff, "PER_PAGE", 2)
        IncomingTransferFactory.create_batch(3, status=IncomingStatus.FAILED)
        OutgoingTransferFactory.create_batch(2, status=OutgoingStatus.FAILED)
        client.force_login(clerk)

        pages = [listed(client, state="failed", page=number) for number in (1, 2, 3)]

        assert [len(page.context["rows"]) for page in pages] == [2, 2, 1]
        assert len(set().union(*(shown(page) for page in pages))) == 5
        assert "Page 2 of 3" in pages[1].text

    def test_is_in_chinese_by_default(self, client, clerk):
        IncomingTransferFactory(status=IncomingStatus.NEGOTIATING)
        client.force_login(clerk)

        response = client.get(reverse("web:staff-transfers"))

        assert "异地转移接续" in response.text
        assert "协商中" in response.text

    def test_the_list_takes_as_many_queries_for_many_transfers_as_for_a_few(
        self, client, clerk, django_assert_max_num_queries
    ):
        IncomingTransferFactory(status=IncomingStatus.FAILED)
        OutgoingTransferFactory(status=OutgoingStatus.REFUSED)
        client.force_login(clerk)
        with CaptureQueriesContext(connection) as few:
            listed(client, state="all")
        IncomingTransferFactory.create_batch(30, status=IncomingStatus.FAILED)
        OutgoingTransferFactory.create_batch(30, status=OutgoingStatus.REFUSED)

        with django_assert_max_num_queries(len(few.captured_queries)):
            response = listed(client, state="all")

        assert len(response.context["rows"]) == 50


class TestSelectors:
    def test_load_a_page_of_both_directions_in_one_query_each(self, django_assert_num_queries):
        IncomingTransferFactory.create_batch(20, status=IncomingStatus.FAILED)
        OutgoingTransferFactory.create_batch(20, status=OutgoingStatus.FAILED)
        cutoff = staff_selectors.stuck_cutoff(timezone.now())
        keys = [
            (each, pk)
            for each, pk, _start, _moved in staff_selectors.staff_transfers_query(
                direction=None, state="failed", cutoff=cutoff
            )
        ]

        with django_assert_num_queries(2):
            found = staff_selectors.transfers_by_key(keys)
            names = {transfer.person.name for transfer in found.values()}

        assert len(found) == 40
        assert len(names) == 40

    def test_read_a_transfer_s_audit_trail_in_one_query(self, platform, django_assert_num_queries):
        transfer = applied(active_account())
        incoming.send_letter(transfer_id=transfer.pk)

        with django_assert_num_queries(1):
            trail = staff_selectors.transfer_trail_query(transfer)

        assert [event.action for event in trail] == [
            "transfers.incoming_applied",
            "transfers.incoming_letter_sent",
        ]


class TestIncomingTransferPage:
    def test_shows_the_money_the_history_the_credit_entry_and_the_audit_trail(self, client, clerk, platform):
        transfer = applied(active_account())
        incoming.send_letter(transfer_id=transfer.pk)
        platform.answer(transfer.letter_ref, reply(principal=5_000_000, interest=12_345, months=48))
        transfer = incoming.follow_letter(transfer_id=transfer.pk)
        client.force_login(clerk)

        response = client.get(reverse("web:staff-transfer-incoming", args=[transfer.pk]), headers=ENGLISH)

        assert response.status_code == 200
        assert "Transferred in" in response.text
        assert "50,123.45" in response.text
        assert "2026-08" in response.text
        assert f"No. {transfer.credited_entry_id}" in response.text
        assert [event.action for event in response.context["trail"]] == [
            "transfers.incoming_applied",
            "transfers.incoming_letter_sent",
            "transfers.incoming_status",
        ]
        assert "system:transfers" in response.text
        assert 'id="ask-now"' not in response.text

    def test_an_unknown_transfer_is_not_found(self, client, clerk):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-transfer-incoming", args=[999]))

        assert response.status_code == 404


class TestOutgoingTransferPage:
    def test_shows_the_checks_the_money_sent_and_its_ledger_entries(self, client, clerk, platform):
        account = sealed_account(deposits=DEPOSITS)
        transfer = received(platform, account)
        outgoing.check_letter(transfer_id=transfer.pk)
        transfer = outgoing.send_answer(transfer_id=transfer.pk)
        client.force_login(clerk)

        response = client.get(reverse("web:staff-transfer-outgoing", args=[transfer.pk]), headers=ENGLISH)

        assert response.status_code == 200
        assert "The account is sealed: passed" in response.text
        assert "No open withdrawal application: passed" in response.text
        assert transfer.person.masked_id_number in response.text
        assert len(response.context["entries"]) == 2
        assert f"No. {transfer.paid_entry_id}" in response.text
        assert [event.action for event in response.context["trail"]] == [
            "transfers.outgoing_letter_received",
            "transfers.outgoing_checked",
            "transfers.outgoing_answered",
        ]
        assert "Ask the platform whether the money arrived" in response.text

    def test_shows_a_refusal_in_words(self, client, clerk, platform):
        transfer = received(platform, active_account())
        transfer = outgoing.check_letter(transfer_id=transfer.pk)
        client.force_login(clerk)

        response = client.get(reverse("web:staff-transfer-outgoing", args=[transfer.pk]), headers=ENGLISH)

        assert "The account is not sealed" in response.text
        assert "The account is sealed: <strong>failed</strong>" in response.text


class TestAskThePlatformNow:
    def test_sends_a_letter_not_yet_sent_and_records_who_asked(self, client, clerk, platform):
        transfer = applied(active_account())
        client.force_login(clerk)

        response = ask(client, transfer)

        transfer.refresh_from_db()
        assert transfer.status == IncomingStatus.SENT
        assert transfer.letter_ref in platform.letters
        assert "Done: the transfer is now “Letter sent”." in response.text
        asked = AuditEvent.objects.get(action="transfers.incoming_asked_now")
        assert asked.actor == clerk
        assert asked.data["step"] == "send_letter"
        assert asked in AuditEvent.objects.filter(target_id=str(transfer.pk))

    def test_follows_a_sent_letter_to_the_money_credited(self, client, clerk, platform):
        transfer = applied(active_account())
        incoming.send_letter(transfer_id=transfer.pk)
        platform.answer(transfer.letter_ref, reply())
        client.force_login(clerk)

        ask(client, transfer)

        transfer.refresh_from_db()
        assert transfer.status == IncomingStatus.COMPLETED
        assert transfer.credited_entry_id is not None

    def test_says_when_the_platform_was_asked_and_nothing_moved(self, client, clerk, platform):
        transfer = applied(active_account())
        incoming.send_letter(transfer_id=transfer.pk)
        client.force_login(clerk)

        response = ask(client, transfer)

        assert "nothing has changed yet" in response.text
        assert IncomingTransfer.objects.get(pk=transfer.pk).status == IncomingStatus.SENT

    def test_takes_a_transfer_out_one_step_at_a_time_to_closed(self, client, clerk, platform):
        account = sealed_account(deposits=DEPOSITS)
        transfer = received(platform, account)
        client.force_login(clerk)

        statuses = []
        for _ in range(3):
            ask(client, transfer)
            transfer.refresh_from_db()
            statuses.append(transfer.status)
            if transfer.status == OutgoingStatus.REPLIED:
                platform.complete_out(transfer.platform_ref)

        assert statuses == [OutgoingStatus.REPLYING, OutgoingStatus.REPLIED, OutgoingStatus.CLOSED]
        account.refresh_from_db()
        assert account.status == AccountStatus.TRANSFERRED_OUT

    def test_explains_a_platform_that_does_not_answer_and_changes_nothing(self, client, clerk, platform):
        transfer = applied(active_account())
        platform.unavailable = True
        client.force_login(clerk)

        response = ask(client, transfer)

        transfer.refresh_from_db()
        assert transfer.status == IncomingStatus.PENDING
        assert "The transfer platform did not answer" in response.text
        assert AuditEvent.objects.get(action="transfers.incoming_asked_now").data["outcome"] == "unavailable"

    def test_refuses_a_finished_transfer(self, client, clerk, platform):
        transfer = IncomingTransferFactory(status=IncomingStatus.CANCELLED)
        client.force_login(clerk)

        response = ask(client, transfer)

        assert "TRANSFER_FINISHED" in response.text
        assert platform.calls == []

    def test_is_a_post_only(self, client, clerk):
        transfer = IncomingTransferFactory(status=IncomingStatus.SENT)
        client.force_login(clerk)

        response = client.get(reverse("web:staff-transfer-incoming-ask", args=[transfer.pk]))

        assert response.status_code == 405


class TestFetchLetters:
    def test_records_the_letters_other_centres_wrote_to_us(self, client, clerk, platform):
        account = sealed_account()
        platform.deliver(letter_about(account, platform_ref="PLT0042"))
        client.force_login(clerk)

        response = client.post(reverse("web:staff-transfers-fetch"), headers=ENGLISH, follow=True)

        assert OutgoingTransfer.objects.get(platform_ref="PLT0042").account == account
        assert "Letters to us on the platform: 1." in response.text


class TestSandboxLetter:
    def test_the_form_shows_with_the_sandbox(self, client, clerk, sandbox):
        client.force_login(clerk)

        response = listed(client)

        assert 'id="write-sandbox-letter"' in response.text

    def test_the_form_is_hidden_when_the_platform_is_not_the_sandbox(self, client, clerk, platform):
        client.force_login(clerk)

        page = listed(client)
        posted = client.post(reverse("web:staff-transfers-sandbox-letter"), {"city_code": "310000"})

        assert 'id="write-sandbox-letter"' not in page.text
        assert posted.status_code == 400
        assert not SandboxTransferLetter.objects.exists()

    def test_another_centre_writes_about_the_account_and_the_letter_is_fetched(self, client, clerk, sandbox):
        account = sealed_account()
        client.force_login(clerk)

        written = client.post(
            reverse("web:staff-transfers-sandbox-letter"),
            {"account_no": account.account_no, "city_code": "110000", "city_name": "北京市"},
            headers=ENGLISH,
            follow=True,
        )
        client.post(reverse("web:staff-transfers-fetch"))

        letter = SandboxTransferLetter.objects.get()
        assert letter.direction == SandboxTransferLetter.Direction.INBOUND
        assert letter.id_number == account.person.id_number
        assert letter.other_city_code == "110000"
        assert f"wrote to us about account {account.account_no}" in written.text
        transfer = OutgoingTransfer.objects.get(platform_ref=letter.platform_ref)
        assert (transfer.account, transfer.receiving_city_name) == (account, "北京市")
        assert AuditEvent.objects.get(action="transfers.sandbox_letter_written").actor == clerk

    def test_without_an_account_number_writes_about_the_first_sealed_account(self, client, clerk, sandbox):
        FundAccountFactory()
        sealed = sealed_account()
        client.force_login(clerk)

        client.post(reverse("web:staff-transfers-sandbox-letter"), {"city_code": "310000", "city_name": ""})

        assert SandboxTransferLetter.objects.get().id_number == sealed.person.id_number

    def test_explains_an_unknown_account_and_keeps_what_was_typed(self, client, clerk, sandbox):
        client.force_login(clerk)

        response = client.post(
            reverse("web:staff-transfers-sandbox-letter"),
            {"account_no": "999", "city_code": "110000", "city_name": "北京市"},
            headers=ENGLISH,
        )

        assert response.status_code == 400
        assert "No fund account has this number." in response.text
        assert 'value="999"' in response.text
        assert not SandboxTransferLetter.objects.exists()
