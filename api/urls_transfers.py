"""Transfers: apply for and follow a transfer, included by api/urls.py."""

from django.urls import path

from api import transfers

urlpatterns: list = [
    path("transfers/intra-city", transfers.IntraCityTransferView.as_view(), name="transfers-intra-city"),
]
