"""Loans: repaying a disbursed loan (borrower pages, staff overdue book), included by web/urls_loans.py."""

from django.urls import path

from web import loans_repayment

urlpatterns: list = [
    path("hall/loans/<int:pk>/account/pay/", loans_repayment.pay_now, name="hall-loan-pay-now"),
    path(
        "hall/loans/<int:pk>/account/collection/",
        loans_repayment.collection_mode,
        name="hall-loan-collection-mode",
    ),
    path("hall/loans/<int:pk>/account/prepay/", loans_repayment.prepay_page, name="hall-loan-prepay"),
    path("hall/loans/<int:pk>/account/settle/", loans_repayment.settle_page, name="hall-loan-settle"),
    path("staff/loans/overdue/", loans_repayment.staff_overdue, name="staff-loan-overdue"),
]
