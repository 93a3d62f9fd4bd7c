"""Loans: the loans pages and endpoints, included by api/urls.py."""

from django.urls import path

from api import loans

urlpatterns: list = [
    path("calculators/loan-quota", loans.LoanQuotaView.as_view(), name="calculator-loan-quota"),
    path("calculators/loan-schedule", loans.LoanScheduleView.as_view(), name="calculator-loan-schedule"),
]
