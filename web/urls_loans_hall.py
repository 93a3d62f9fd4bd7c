"""Loans: the employee's loan application pages (web hall), included by web/urls_loans.py."""

urlpatterns: list = []
