"""Transfers: the person's transfer pages (web hall) and the staff's, included by web/urls.py."""

from django.urls import include, path

from web import transfers_hall

urlpatterns: list = [
    path("hall/transfers/", transfers_hall.intra_city, name="hall-transfer-intra"),
    path("", include("web.urls_transfers_cross_city")),
    path("", include("web.urls_transfers_staff")),
]
