import pytest
from django.conf import settings

from payouts import tasks
from payouts.models import Payout, PayoutStatus
from tests.payouts.factories import make_payout

pytestmark = pytest.mark.django_db


class TestRelayPayoutsTask:
    def test_sends_the_payouts_and_asks_for_their_results(self, payment_bank):
        payout = make_payout()

        tasks.relay_payouts.delay()

        assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PAID
        assert payment_bank.calls == ["submit_payments", "payment_result"]

    def test_leaves_unsettled_payouts_sent_for_later(self, slow_payment_bank):
        payout = make_payout()

        tasks.relay_payouts.delay()

        assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.SENT


class TestReconcileStuckPayoutsTask:
    def test_reports_what_it_did(self, slow_payment_bank):
        assert tasks.reconcile_stuck_payouts.delay(on="2026-11-26").get() == {
            "checked": 0,
            "paid": 0,
            "failed": 0,
            "pending": 0,
            "requeued": 0,
            "unavailable": False,
        }


class TestTaskOptions:
    @pytest.mark.parametrize(
        "task", [tasks.relay_payouts, tasks.poll_payout_results, tasks.reconcile_stuck_payouts]
    )
    def test_survive_a_lost_worker_and_retry_a_bounded_number_of_times(self, task):
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
        assert task.max_retries == 5

    def test_beat_runs_the_relay_every_few_seconds_and_reconciliation_every_few_minutes(self):
        schedule = settings.CELERY_BEAT_SCHEDULE

        assert schedule["payouts-relay"]["task"] == "payouts.tasks.relay_payouts"
        assert schedule["payouts-relay"]["schedule"] <= 10
        assert schedule["payouts-reconcile"]["task"] == "payouts.tasks.reconcile_stuck_payouts"
