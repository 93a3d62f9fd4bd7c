"""Transfers: the staff's transfer pages, included by web/urls_transfers.py."""

from django.urls import path

from web import transfers_staff

urlpatterns: list = [
    path("staff/transfers/", transfers_staff.transfers, name="staff-transfers"),
    path("staff/transfers/fetch/", transfers_staff.fetch_letters, name="staff-transfers-fetch"),
    path(
        "staff/transfers/sandbox-letter/",
        transfers_staff.sandbox_letter,
        name="staff-transfers-sandbox-letter",
    ),
    path("staff/transfers/in/<int:pk>/", transfers_staff.incoming_detail, name="staff-transfer-incoming"),
    path(
        "staff/transfers/in/<int:pk>/ask/",
        transfers_staff.incoming_ask,
        name="staff-transfer-incoming-ask",
    ),
    path("staff/transfers/out/<int:pk>/", transfers_staff.outgoing_detail, name="staff-transfer-outgoing"),
    path(
        "staff/transfers/out/<int:pk>/ask/",
        transfers_staff.outgoing_ask,
        name="staff-transfer-outgoing-ask",
    ),
]
