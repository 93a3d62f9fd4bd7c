"""Transfers: the staff's transfer pages, included by web/urls_transfers.py."""

urlpatterns: list = []
