"""Transfers: the hall's cross-city transfer pages, included by web/urls_transfers.py."""

urlpatterns: list = []
