"""Transfers: the hall's cross-city transfer pages, included by web/urls_transfers.py."""

from django.urls import path

from web import transfers_cross_city

urlpatterns: list = [
    path("hall/transfers/cross-city/", transfers_cross_city.cross_city, name="hall-transfer-cross-city"),
    path(
        "hall/transfers/cross-city/in/<int:pk>/",
        transfers_cross_city.incoming_detail,
        name="hall-transfer-incoming-detail",
    ),
    path(
        "hall/transfers/cross-city/out/<int:pk>/",
        transfers_cross_city.outgoing_detail,
        name="hall-transfer-outgoing-detail",
    ),
]
