"""Exporting a search of the audit log; the export is itself an audit event."""

from django.db import transaction

from audit.models import AuditEvent
from audit.selectors import AuditSearch, audit_export_query
from audit.services import record_event

# A search exported to a file holds at most this many events: narrow the search for more.
EXPORT_LIMIT = 10_000


def export_audit_events(*, actor, search: AuditSearch, limit: int | None = None) -> list[AuditEvent]:
    """The newest ``limit`` (default ``EXPORT_LIMIT``) events matching ``search``, and an
    ``audit.export`` event saying who took them, with which filters, how many."""
    limit = limit or EXPORT_LIMIT
    with transaction.atomic(durable=True):
        events = audit_export_query(search, limit=limit)
        record_event(
            actor=actor,
            action="audit.export",
            summary=f"导出审计日志 {len(events)} 条",
            data={"filters": search.as_data(), "rows": len(events), "limit": limit},
        )
    return events
