"""Background work on deposit lists: checking uploads and collecting approved lists."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings
from django.utils import timezone

from deposits.collection import PENDING, advance_collection
from deposits.models import DepositList, ListStatus
from deposits.services import check_list, lists_not_yet_notified, notify_depositors, requeue_stalled_checks
from integrations.bank.ports import BankUnavailable

# A check that has not finished in this time lost its worker: the sweeper queues it again.
STALE_CHECK = timedelta(minutes=10)
# A list posted this long ago whose depositors were not told lost its task; one posted more than
# a day ago is left alone (late news is no news, and the statement shows the deposit anyway).
NOTICE_GRACE = timedelta(minutes=2)
NOTICE_WINDOW = timedelta(days=1)


@shared_task(acks_late=True, task_reject_on_worker_lost=True, ignore_result=True, max_retries=3)
def check_deposit_list(*, list_id: int) -> None:
    check_list(list_id=list_id)


@shared_task(bind=True, acks_late=True, task_reject_on_worker_lost=True, ignore_result=True)
def collect_deposit_list(self, *, list_id: int) -> None:
    try:
        outcome = advance_collection(list_id=list_id)
    except BankUnavailable:
        outcome = PENDING
    if outcome != PENDING or self.request.is_eager:
        # Run in-process (eager set-ups) nobody should sleep on the bank: the sweeper asks again.
        return
    # Ask again with a growing pause; after the last try the minute sweeper keeps asking.
    try:
        self.retry(countdown=min(2**self.request.retries, 60), max_retries=settings.DEPOSIT_COLLECTION_POLLS)
    except MaxRetriesExceededError:
        return


@shared_task(acks_late=True, task_reject_on_worker_lost=True, ignore_result=True)
def notify_deposit_list(*, list_id: int) -> None:
    notify_depositors(list_id=list_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_deposit_lists() -> None:
    """Every minute: keep asking the bank about collecting lists, restart checks that died, and tell
    the depositors of a posted list whose notice task was lost."""
    for list_id in DepositList.objects.filter(status=ListStatus.COLLECTING).values_list("pk", flat=True):
        collect_deposit_list.apply_async(
            kwargs={"list_id": list_id}, retries=settings.DEPOSIT_COLLECTION_POLLS
        )
    requeue_stalled_checks(older_than=timezone.now() - STALE_CHECK)
    now = timezone.now()
    for list_id in lists_not_yet_notified(posted_after=now - NOTICE_WINDOW, posted_before=now - NOTICE_GRACE):
        notify_deposit_list.delay(list_id=list_id)
