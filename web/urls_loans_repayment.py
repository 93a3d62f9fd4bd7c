"""Loans: repaying a disbursed loan (borrower pages, staff overdue book), included by web/urls_loans.py."""

urlpatterns: list = []
