"""Loans: the borrower's loan accounts (repayment, prepayment, settlement), included by api/urls_loans.py."""

from django.urls import path

from api import loans_accounts as views

urlpatterns: list = [
    path("loans/accounts", views.LoanAccountsView.as_view(), name="loan-accounts"),
    path("loans/accounts/<str:account_no>", views.LoanAccountView.as_view(), name="loan-account"),
    path(
        "loans/accounts/<str:account_no>/collection-mode",
        views.CollectionModeView.as_view(),
        name="loan-account-collection-mode",
    ),
    path("loans/accounts/<str:account_no>/pay-now", views.PayNowView.as_view(), name="loan-account-pay-now"),
    path(
        "loans/accounts/<str:account_no>/prepayment-quote",
        views.PrepaymentQuoteView.as_view(),
        name="loan-account-prepayment-quote",
    ),
    path(
        "loans/accounts/<str:account_no>/prepayments",
        views.PrepaymentsView.as_view(),
        name="loan-account-prepayments",
    ),
    path(
        "loans/accounts/<str:account_no>/settlement-quote",
        views.SettlementQuoteView.as_view(),
        name="loan-account-settlement-quote",
    ),
    path(
        "loans/accounts/<str:account_no>/settlement",
        views.SettlementView.as_view(),
        name="loan-account-settlement",
    ),
    path(
        "loans/accounts/<str:account_no>/settled-certificate",
        views.SettledCertificateView.as_view(),
        name="loan-account-settled-certificate",
    ),
]
