"""Changing the catalogue: every staff change to an item is saved together with its audit event.

The catalogue is what the centre promises the public (materials, time limits), so who changed
what, and from which value, stays on the hash-chained audit log.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from audit.services import record_event, require_transaction
from catalogue.models import ServiceItem


def save_service_item(*, item: ServiceItem, actor, before: dict | None) -> ServiceItem:
    """Save ``item`` (new when ``before`` is ``None``) and record what changed, in the caller's transaction.

    ``before`` holds the values the editor started from, by field name; only fields whose value
    differs are recorded. The admin's change form already runs in a transaction, so this helper
    shares it rather than opening one.
    """
    require_transaction("save_service_item")
    item.updated_at = timezone.now()
    item.save()
    if before is None:
        record_event(
            actor=actor,
            action="catalogue.item_added",
            target=item,
            summary=f"Added service item {item.code}",
            data={"code": item.code, "published": item.published},
        )
        return item
    changed = {
        field: {"from": old, "to": getattr(item, field)}
        for field, old in sorted(before.items())
        if getattr(item, field) != old
    }
    if changed:
        record_event(
            actor=actor,
            action="catalogue.item_changed",
            target=item,
            summary=f"Changed service item {item.code}: {', '.join(changed)}",
            data={"code": item.code, "changed": changed},
        )
    return item


def set_service_items_published(*, codes: Iterable[str], published: bool, actor) -> list[str]:
    """Publish or withdraw the items with ``codes``; returns the codes whose flag actually changed."""
    with transaction.atomic(durable=True):
        # Locked so that two staff toggling the same items record each change once.
        items = list(
            ServiceItem.objects.select_for_update()
            .filter(code__in=list(codes))
            .exclude(published=published)
            .order_by("pk")
        )
        now = timezone.now()
        for item in items:
            item.published = published
            item.updated_at = now
            item.save(update_fields=["published", "updated_at"])
            record_event(
                actor=actor,
                action="catalogue.item_published" if published else "catalogue.item_withdrawn",
                target=item,
                summary=f"{'Published' if published else 'Withdrew'} service item {item.code}",
                data={"code": item.code, "published": published},
            )
    return [item.code for item in items]
