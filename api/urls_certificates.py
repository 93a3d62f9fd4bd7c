"""Certificates: the public check by verification code; included by api/urls.py."""

from django.urls import path

from api import certificates

urlpatterns: list = [
    path("certificates/<str:code>", certificates.CertificateView.as_view(), name="certificate"),
]
