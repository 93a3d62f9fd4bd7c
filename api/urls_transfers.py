"""Transfers: apply for and follow a transfer, included by api/urls.py."""

from django.urls import path

from api import transfers

urlpatterns: list = [
    path("transfers/intra-city", transfers.IntraCityTransferView.as_view(), name="transfers-intra-city"),
    path("transfers/incoming", transfers.IncomingTransfersView.as_view(), name="transfers-incoming"),
    path(
        "transfers/incoming/<int:transfer_id>",
        transfers.IncomingTransferView.as_view(),
        name="transfers-incoming-detail",
    ),
    path("transfers/outgoing", transfers.OutgoingTransfersView.as_view(), name="transfers-outgoing"),
    path(
        "transfers/outgoing/<int:transfer_id>",
        transfers.OutgoingTransferView.as_view(),
        name="transfers-outgoing-detail",
    ),
]
