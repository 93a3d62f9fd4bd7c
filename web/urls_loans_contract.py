"""Loans: the contract (download, signing) and the disbursement pages, included by web/urls_loans.py."""

from django.urls import path

from web import loans_contract

urlpatterns: list = [
    path("loans/<int:pk>/contract.pdf", loans_contract.contract_pdf, name="loan-contract-pdf"),
    path("staff/loans/contracts/", loans_contract.staff_cases, name="staff-loan-contracts"),
    path("staff/loans/<int:pk>/contract/", loans_contract.staff_case, name="staff-loan-contract"),
    path("staff/loans/<int:pk>/contract/sign/", loans_contract.staff_sign, name="staff-loan-contract-sign"),
    path(
        "staff/loans/<int:pk>/contract/disburse/",
        loans_contract.staff_disburse,
        name="staff-loan-contract-disburse",
    ),
    path("hall/loans/<int:pk>/account/", loans_contract.hall_account, name="hall-loan-account"),
]
