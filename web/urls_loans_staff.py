"""Loans: the staff's loan approval pages, included by web/urls_loans.py."""

urlpatterns: list = []
