"""Loans: the employee's loan application pages (web hall), included by web/urls_loans.py."""

from django.urls import path

from web import loans_hall

urlpatterns: list = [
    path("hall/loans/", loans_hall.my_loans, name="hall-loans"),
    path("hall/loans/apply/", loans_hall.apply, name="hall-loan-apply"),
    path("hall/loans/<int:pk>/", loans_hall.detail, name="hall-loan"),
    path("hall/loans/<int:pk>/confirm/", loans_hall.confirm, name="hall-loan-confirm"),
    path("hall/loans/<int:pk>/withdraw/", loans_hall.withdraw, name="hall-loan-withdraw"),
    path("hall/loans/<int:pk>/signing/", loans_hall.signing, name="hall-loan-signing"),
    path("hall/loans/<int:pk>/resubmit/", loans_hall.resubmit, name="hall-loan-resubmit"),
]
