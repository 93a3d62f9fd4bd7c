"""Loans: the loans pages and endpoints, included by web/urls.py."""

from django.urls import include, path

from web import loans

urlpatterns: list = [
    path("calculators/loan-quota/", loans.quota, name="loan-quota"),
    path("calculators/loan-schedule/", loans.schedule, name="loan-schedule"),
    # The employee's application (web hall) and the staff's approval chain, each in its own module.
    path("", include("web.urls_loans_hall")),
    path("", include("web.urls_loans_staff")),
    path("", include("web.urls_loans_contract")),
    path("", include("web.urls_loans_repayment")),
    path("", include("web.urls_loans_certificate")),
]
