"""Loans: the loans pages and endpoints, included by web/urls.py."""

from django.urls import path

from web import loans

urlpatterns: list = [
    path("calculators/loan-quota/", loans.quota, name="loan-quota"),
    path("calculators/loan-schedule/", loans.schedule, name="loan-schedule"),
]
