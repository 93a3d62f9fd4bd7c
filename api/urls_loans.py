"""Loans: the loans pages and endpoints, included by api/urls.py."""

urlpatterns: list = []
