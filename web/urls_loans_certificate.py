"""Loans: the loan-settled certificate (download), included by web/urls_loans.py."""

from django.urls import path

from web import loans_certificate

urlpatterns: list = [
    path(
        "hall/loans/<int:pk>/account/settled-certificate.pdf",
        loans_certificate.settled_certificate,
        name="hall-loan-settled-certificate",
    ),
]
