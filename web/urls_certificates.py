"""Certificates: the hall page and download, the public check the QR codes open, staff revoking;
included by web/urls.py."""

from django.urls import path

from web import certificates

urlpatterns: list = [
    path("hall/certificates/", certificates.hall, name="hall-certificates"),
    path(
        "hall/certificates/<int:pk>/deposit-certificate.pdf",
        certificates.deposit_certificate,
        name="hall-deposit-certificate",
    ),
    path("certificates/", certificates.find, name="certificate-find"),
    path("certificates/<str:code>/", certificates.check, name="certificate"),
    path("staff/certificates/revoke/", certificates.revoke, name="staff-certificate-revoke"),
]
