"""Loans: the loans pages and endpoints, included by api/urls.py."""

from django.urls import include, path

from api import loans, loans_applications

urlpatterns: list = [
    path("calculators/loan-quota", loans.LoanQuotaView.as_view(), name="calculator-loan-quota"),
    path("calculators/loan-schedule", loans.LoanScheduleView.as_view(), name="calculator-loan-schedule"),
]

urlpatterns += [
    path("loans/applications", loans_applications.LoanApplicationsView.as_view(), name="loan-applications"),
    path(
        "loans/applications/<int:application_id>",
        loans_applications.LoanApplicationView.as_view(),
        name="loan-application",
    ),
    path(
        "loans/applications/<int:application_id>/confirm",
        loans_applications.ConfirmCoBorrowerView.as_view(),
        name="loan-application-confirm",
    ),
    path(
        "loans/applications/<int:application_id>/withdraw",
        loans_applications.WithdrawLoanApplicationView.as_view(),
        name="loan-application-withdraw",
    ),
    path(
        "loans/applications/<int:application_id>/resubmit",
        loans_applications.ResubmitLoanApplicationView.as_view(),
        name="loan-application-resubmit",
    ),
    path(
        "loans/applications/<int:application_id>/signing",
        loans_applications.BookSigningView.as_view(),
        name="loan-application-signing",
    ),
    path(
        "loans/applications/<int:application_id>/contract.pdf",
        loans_applications.LoanContractView.as_view(),
        name="loan-application-contract",
    ),
]

urlpatterns += [path("", include("api.urls_loans_accounts"))]
