"""Loans: the loan-settled certificate (download), included by web/urls_loans.py."""

urlpatterns: list = []
