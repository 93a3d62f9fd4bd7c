"""Reading payouts: for the owning app's pages, the relay and reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from payouts.models import Payout, PayoutStatus


def payout_for_source(source_ref: str) -> Payout | None:
    """The payout created for ``source_ref`` ("withdrawal:123"), or None."""
    return Payout.objects.filter(source_ref=source_ref).first()


def payouts_of_person(person) -> QuerySet[Payout]:
    return Payout.objects.filter(person=person).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class StuckPayout:
    pk: int
    reference: str
    amount: int


def stuck_payouts(*, sent_before, on: date | None = None) -> list[StuckPayout]:
    """SENT payouts sent before ``sent_before`` (and, given ``on``, on that local day), oldest first."""
    query = Q(status=PayoutStatus.SENT, sent_at__lt=sent_before)
    if on is not None:
        query &= Q(sent_at__date=on)
    return [
        StuckPayout(pk, reference, amount)
        for pk, reference, amount in Payout.objects.filter(query)
        .order_by("sent_at", "pk")
        .values_list("pk", "reference", "amount")
    ]


def sent_references(payout_ids: list[int]) -> list[StuckPayout]:
    """The payouts among ``payout_ids`` still waiting for the bank's result."""
    return [
        StuckPayout(pk, reference, amount)
        for pk, reference, amount in Payout.objects.filter(pk__in=payout_ids, status=PayoutStatus.SENT)
        .order_by("pk")
        .values_list("pk", "reference", "amount")
    ]
