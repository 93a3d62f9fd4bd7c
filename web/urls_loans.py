"""Loans: the loans pages and endpoints, included by web/urls.py."""

urlpatterns: list = []
