"""Loans: the borrower's loan accounts (repayment, prepayment, settlement), included by api/urls_loans.py."""

urlpatterns: list = []
