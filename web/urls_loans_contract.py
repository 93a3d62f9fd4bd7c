"""Loans: the contract (download, signing) and the disbursement pages, included by web/urls_loans.py."""

urlpatterns: list = []
