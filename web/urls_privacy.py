"""privacy pages, included by web/urls_security.py."""

from django.urls import path

from web import privacy

urlpatterns: list = [
    path("staff/privacy/reveal/", privacy.reveal, name="staff-privacy-reveal"),
    path("staff/privacy/accesses/", privacy.accesses, name="staff-privacy-accesses"),
]
