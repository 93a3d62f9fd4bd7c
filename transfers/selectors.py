"""Reads about cross-city transfers for other apps and the future hall and staff pages."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from accounts.models import Person

from .models import IncomingStatus, IncomingTransfer, OutgoingTransfer


def transferred_in_months(person: Person) -> int:
    """Deposit months brought in from other cities (completed transfers in): they count as deposited."""
    total = IncomingTransfer.objects.filter(person=person, status=IncomingStatus.COMPLETED).aggregate(
        months=Sum("merged_months")
    )["months"]
    return total or 0


def incoming_transfers_query(person: Person) -> QuerySet[IncomingTransfer]:
    return IncomingTransfer.objects.filter(person=person).order_by("-created_at", "-pk")


def outgoing_transfers_query(person: Person) -> QuerySet[OutgoingTransfer]:
    return OutgoingTransfer.objects.filter(person=person).order_by("-received_at", "-pk")
