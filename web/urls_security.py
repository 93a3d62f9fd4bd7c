"""Security pages (sign-in steps, audit log, alerts, personal data access), included by web/urls.py."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("web.urls_signin")),
    path("", include("web.urls_audit")),
    path("", include("web.urls_inspection")),
    path("", include("web.urls_privacy")),
]
