"""Transfers: apply for and follow a transfer, included by api/urls.py."""

urlpatterns: list = []
