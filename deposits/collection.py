"""Talking to the entrusted-collection bank about an approved list (outside any transaction).

``advance_collection`` is one step of the conversation, safe to repeat at any time: submit the
order if the bank has not acknowledged it (the reference is the bank's idempotency key, so a
resubmission after a lost answer is harmless), then ask for its result and hand a settled one
to :func:`deposits.services.record_collection_result`, which applies it exactly once.
"""

from __future__ import annotations

from django.conf import settings

from deposits.models import DepositList, ListKind, ListStatus
from deposits.services import forget_order_acceptance, record_collection_result, record_order_accepted
from integrations.bank import ports
from integrations.bank.registry import collection_bank

#: Outcomes of one step.
PENDING = "PENDING"
SETTLED = "SETTLED"
NOTHING_TO_DO = "NOTHING_TO_DO"


def _same_bank(bank_name: str) -> bool:
    return bank_name.strip() == settings.CENTRE_COLLECTION_BANK


def collection_order(deposit_list: DepositList) -> ports.CollectionOrder:
    employer = deposit_list.employer
    kind = "汇缴" if deposit_list.kind == ListKind.MONTHLY else "补缴"
    return ports.CollectionOrder(
        order_ref=deposit_list.order_ref,
        payer_account_no=employer.bank_account_no,
        payer_bank_name=employer.bank_name,
        payer_name=employer.name,
        amount=deposit_list.amount,
        same_bank=_same_bank(employer.bank_name),
        memo=f"住房公积金{kind} {deposit_list.period:%Y-%m} {employer.unit_account_no}",
    )


def advance_collection(*, list_id: int) -> str:
    """One step for a COLLECTING list; raises ``ports.BankUnavailable`` when the bank does not answer."""
    deposit_list = DepositList.objects.select_related("employer").get(pk=list_id)
    if deposit_list.status != ListStatus.COLLECTING:
        return NOTHING_TO_DO
    bank = collection_bank()
    timeout = settings.BANK_TIMEOUT_S
    if deposit_list.order_accepted_at is None:
        receipt = bank.submit_collection(order=collection_order(deposit_list), timeout=timeout)
        record_order_accepted(
            list_id=list_id,
            order_ref=receipt.order_ref,
            bank_ref=receipt.bank_ref,
            accepted_at=receipt.accepted_at,
        )
    try:
        result = bank.collection_result(order_ref=deposit_list.order_ref, timeout=timeout)
    except ports.UnknownOrder:
        forget_order_acceptance(list_id=list_id, order_ref=deposit_list.order_ref)
        return PENDING
    if result is None:
        return PENDING
    record_collection_result(
        order_ref=result.order_ref,
        succeeded=result.status == ports.SUCCEEDED,
        failure_code=result.failure_code,
        bank_ref=result.bank_ref,
        settled_on=result.settled_on,
    )
    return SETTLED
