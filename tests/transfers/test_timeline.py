"""A transfer's steps as the person follows them, read from its audit events (fake platform)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from integrations.transfer_platform import ports
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.testing import use_platform
from transfers import incoming, outgoing
from transfers.incoming import apply_incoming
from transfers.timeline import (
    ANSWERED,
    APPLIED,
    CANCELLED,
    CHECKED,
    COMPLETED,
    FAILED,
    LETTER_RECEIVED,
    LETTER_SENT,
    NEGOTIATING,
    PASSED,
    REFUSED,
    REPLIED,
    TRANSFERRED_OUT,
    TransferStep,
    incoming_steps_to_come,
    incoming_timeline,
    incoming_timelines,
    outgoing_steps_to_come,
    outgoing_timeline,
    outgoing_timelines,
)

from .factories import SHANGHAI, active_account, letter_about, reply, sealed_account

pytestmark = pytest.mark.django_db

SHANGHAI_TIME = ZoneInfo("Asia/Shanghai")
HAND_DEPOSITS = ((240_000, date(2026, 7, 1)), (60_000, date(2026, 8, 15)))


def at(hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 9, 30, hour, minute, tzinfo=SHANGHAI_TIME)


@pytest.fixture
def clock():
    with freeze_time(at("10:00")) as frozen:
        yield frozen


@pytest.fixture
def platform():
    with use_platform(FakeTransferPlatform()) as platform:
        yield platform


def applied(account):
    return apply_incoming(
        person=account.person, sending_city_code=SHANGHAI[0], sending_city_name=SHANGHAI[1], actor=None
    )


def sent(account, clock):
    transfer = applied(account)
    clock.move_to(at("10:01"))
    return incoming.send_letter(transfer_id=transfer.pk)


def follow(transfer, clock, when):
    clock.move_to(at(when))
    return incoming.follow_letter(transfer_id=transfer.pk)


class TestIncomingTimeline:
    def test_shows_every_step_up_to_the_credit_with_the_amount_and_the_merged_months(self, platform, clock):
        transfer = sent(active_account(), clock)
        platform.set_status(transfer.letter_ref, ports.LETTER_RECEIVED)
        follow(transfer, clock, "10:02")
        platform.set_status(transfer.letter_ref, ports.NEGOTIATING)
        follow(transfer, clock, "10:03")
        platform.answer(transfer.letter_ref, reply(principal=5_000_000, interest=12_345, months=48))
        transfer = follow(transfer, clock, "10:04")

        steps = incoming_timeline(transfer)

        assert steps == (
            TransferStep(step=APPLIED, at=at("10:00")),
            TransferStep(step=LETTER_SENT, at=at("10:01"), platform_status="01"),
            TransferStep(step=LETTER_RECEIVED, at=at("10:02"), platform_status="02"),
            TransferStep(step=NEGOTIATING, at=at("10:03"), platform_status="06"),
            TransferStep(
                step=COMPLETED,
                at=at("10:04"),
                platform_status="00",
                amount=5_012_345,
                interest=12_345,
                merged_months=48,
            ),
        )

    def test_a_refusal_carries_the_sending_centres_reason(self, platform, clock):
        transfer = sent(active_account(), clock)
        platform.refuse(transfer.letter_ref, ports.LOAN_UNSETTLED)
        transfer = follow(transfer, clock, "10:05")

        last = incoming_timeline(transfer)[-1]

        assert last == TransferStep(
            step=REFUSED,
            at=at("10:05"),
            platform_status="13",
            outcome=REFUSED,
            refusal_code=ports.LOAN_UNSETTLED,
        )

    @pytest.mark.parametrize(("platform_status", "step"), [("05", CANCELLED), ("40", FAILED)])
    def test_ends_with_a_cancellation_or_a_failure_as_the_platform_reports_it(
        self, platform, clock, platform_status, step
    ):
        transfer = sent(active_account(), clock)
        platform.set_status(transfer.letter_ref, platform_status)
        transfer = follow(transfer, clock, "10:06")

        steps = incoming_timeline(transfer)

        assert [(s.step, s.platform_status) for s in steps] == [
            (APPLIED, ""),
            (LETTER_SENT, "01"),
            (step, platform_status),
        ]
        assert incoming_steps_to_come(transfer) == ()

    def test_a_status_asked_again_adds_no_step(self, platform, clock):
        transfer = sent(active_account(), clock)
        platform.set_status(transfer.letter_ref, ports.NEGOTIATING)
        follow(transfer, clock, "10:02")
        transfer = follow(transfer, clock, "10:03")

        steps = incoming_timeline(transfer)

        assert [s.step for s in steps] == [APPLIED, LETTER_SENT, NEGOTIATING]

    def test_names_the_steps_still_to_come(self, platform, clock):
        transfer = applied(active_account())
        before_sending = incoming_steps_to_come(transfer)
        clock.move_to(at("10:01"))
        transfer = incoming.send_letter(transfer_id=transfer.pk)
        after_sending = incoming_steps_to_come(transfer)
        platform.set_status(transfer.letter_ref, ports.LETTER_RECEIVED)
        transfer = follow(transfer, clock, "10:02")

        assert before_sending == (LETTER_SENT, COMPLETED)
        assert after_sending == (LETTER_RECEIVED, COMPLETED)
        assert incoming_steps_to_come(transfer) == (COMPLETED,)

    def test_reads_many_transfers_in_one_query_each_with_its_own_steps(
        self, platform, clock, django_assert_num_queries
    ):
        waiting = applied(active_account())
        completed = sent(active_account(), clock)
        platform.answer(completed.letter_ref, reply())
        completed = follow(completed, clock, "10:02")
        refused = sent(active_account(), clock)
        platform.refuse(refused.letter_ref, ports.WITHDRAWAL_OPEN)
        refused = follow(refused, clock, "10:03")

        with django_assert_num_queries(1):
            timelines = incoming_timelines([waiting, completed, refused])

        assert [s.step for s in timelines[waiting.pk]] == [APPLIED]
        assert [s.step for s in timelines[completed.pk]] == [APPLIED, LETTER_SENT, COMPLETED]
        assert [s.step for s in timelines[refused.pk]] == [APPLIED, LETTER_SENT, REFUSED]

    def test_reads_nothing_for_no_transfers(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert incoming_timelines([]) == {}


def received(platform, account, ref="PLT0001"):
    platform.deliver(letter_about(account, platform_ref=ref))
    return next(row for row in outgoing.receive_letters() if row.platform_ref == ref)


class TestOutgoingTimeline:
    def test_shows_the_letter_the_check_the_answer_and_the_closed_account(self, platform, clock):
        transfer = received(platform, sealed_account(deposits=HAND_DEPOSITS))
        clock.move_to(at("10:01"))
        outgoing.check_letter(transfer_id=transfer.pk)
        clock.move_to(at("10:02"))
        outgoing.send_answer(transfer_id=transfer.pk)
        platform.complete_out("PLT0001")
        clock.move_to(at("10:03"))
        transfer = outgoing.confirm_transfer(transfer_id=transfer.pk)

        steps = outgoing_timeline(transfer)

        assert steps == (
            TransferStep(step=LETTER_RECEIVED, at=at("10:00")),
            TransferStep(step=CHECKED, at=at("10:01"), outcome=PASSED, amount=301_038, interest=1_038),
            TransferStep(step=ANSWERED, at=at("10:02"), outcome=REPLIED, amount=301_038, interest=1_038),
            TransferStep(
                step=TRANSFERRED_OUT, at=at("10:03"), platform_status="00", amount=301_038, interest=1_038
            ),
        )
        assert outgoing_steps_to_come(transfer) == ()

    def test_a_refusal_is_checked_and_answered_with_its_reason(self, platform, clock):
        transfer = received(platform, active_account())
        outgoing.check_letter(transfer_id=transfer.pk)
        transfer = outgoing.send_answer(transfer_id=transfer.pk)

        steps = outgoing_timeline(transfer)

        assert [(s.step, s.outcome, s.refusal_code, s.amount) for s in steps] == [
            (LETTER_RECEIVED, "", "", None),
            (CHECKED, REFUSED, ports.ACCOUNT_NOT_SEALED, None),
            (ANSWERED, REFUSED, ports.ACCOUNT_NOT_SEALED, None),
        ]

    def test_a_failed_transfer_ends_with_the_money_back(self, platform, clock):
        transfer = received(platform, sealed_account(deposits=HAND_DEPOSITS))
        outgoing.check_letter(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)
        platform.complete_out("PLT0001", ports.FAILED)
        transfer = outgoing.confirm_transfer(transfer_id=transfer.pk)

        last = outgoing_timeline(transfer)[-1]

        assert (last.step, last.platform_status, last.amount) == (FAILED, "40", 301_038)

    def test_names_the_steps_still_to_come(self, platform, clock):
        transfer = received(platform, sealed_account(deposits=HAND_DEPOSITS))
        on_receipt = outgoing_steps_to_come(transfer)
        transfer = outgoing.check_letter(transfer_id=transfer.pk)
        after_the_check = outgoing_steps_to_come(transfer)
        transfer = outgoing.send_answer(transfer_id=transfer.pk)

        assert on_receipt == (CHECKED, ANSWERED, TRANSFERRED_OUT)
        assert after_the_check == (ANSWERED, TRANSFERRED_OUT)
        assert outgoing_steps_to_come(transfer) == (TRANSFERRED_OUT,)

    def test_reads_many_transfers_in_one_query(self, platform, clock, django_assert_num_queries):
        first = received(platform, sealed_account(deposits=HAND_DEPOSITS), ref="PLT0001")
        outgoing.check_letter(transfer_id=first.pk)
        second = received(platform, active_account(), ref="PLT0002")

        with django_assert_num_queries(1):
            timelines = outgoing_timelines([first, second])

        assert [s.step for s in timelines[first.pk]] == [LETTER_RECEIVED, CHECKED]
        assert [s.step for s in timelines[second.pk]] == [LETTER_RECEIVED]
