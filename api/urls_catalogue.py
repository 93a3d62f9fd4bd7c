"""The service catalogue: ``GET /services``, included by api/urls.py."""

from django.urls import path

from api import catalogue

urlpatterns: list = [
    path("services", catalogue.ServicesView.as_view(), name="services"),
    path("services/<str:code>", catalogue.ServiceView.as_view(), name="service"),
]
