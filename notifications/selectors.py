"""Reading a person's messages: the unread count and the inbox, newest first."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import models

from notifications.models import Message

# A person is an ``accounts.Person``; notifications sits below accounts and never imports it.
Person = models.Model

MESSAGES_PER_PAGE = 20


def unread_count(person: Person) -> int:
    return Message.objects.filter(person=person, read_at__isnull=True).count()


def messages_of(person: Person):
    """Every message of ``person``, newest first (a queryset, to page or slice)."""
    return Message.objects.filter(person=person).select_related("sms").order_by("-created_at", "-pk")


def message_page(person: Person, *, page: object = 1, per_page: int = MESSAGES_PER_PAGE) -> Page:
    """One page of the inbox; a page number out of range gives the nearest page."""
    return Paginator(messages_of(person), per_page).get_page(page)
