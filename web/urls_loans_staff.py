"""Loans: the staff's loan approval pages, included by web/urls_loans.py."""

from django.urls import path, re_path

from web import loans_staff

urlpatterns: list = [
    path("staff/loans/", loans_staff.queue, name="staff-loan-queue"),
    path("staff/loans/sla/", loans_staff.sla, name="staff-loan-sla"),
    path("staff/loans/delegations/", loans_staff.delegations, name="staff-loan-delegations"),
    path(
        "staff/loans/delegations/<int:pk>/revoke/",
        loans_staff.revoke_delegation,
        name="staff-loan-delegation-revoke",
    ),
    path("staff/loans/<int:pk>/", loans_staff.case, name="staff-loan-case"),
    path(
        "staff/loans/<int:pk>/documents/<int:document_id>/",
        loans_staff.document,
        name="staff-loan-document",
    ),
    re_path(
        r"^staff/loans/(?P<pk>[0-9]+)/(?P<action>accept|approve|return|reject)/$",
        loans_staff.act,
        name="staff-loan-act",
    ),
]
