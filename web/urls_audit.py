"""audit pages, included by web/urls_security.py."""

from django.urls import path

from web import audit_log

urlpatterns: list = [
    path("staff/audit/", audit_log.search, name="staff-audit"),
    path("staff/audit/events/<int:sequence>/", audit_log.event, name="staff-audit-event"),
    path("staff/audit/export/", audit_log.export, name="staff-audit-export"),
]
