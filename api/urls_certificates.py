"""Certificates: the public check by verification code and the employee's own certificates;
included by api/urls.py."""

from django.urls import path

from api import certificates, certificates_mine

urlpatterns: list = [
    path("certificates/<str:code>", certificates.CertificateView.as_view(), name="certificate"),
    path("me/certificates", certificates_mine.MyCertificatesView.as_view(), name="me-certificates"),
    path(
        "me/certificates/<int:certificate_id>",
        certificates_mine.MyCertificateView.as_view(),
        name="me-certificate",
    ),
    path(
        "me/certificates/<int:certificate_id>/pdf",
        certificates_mine.MyCertificatePdfView.as_view(),
        name="me-certificate-pdf",
    ),
]
