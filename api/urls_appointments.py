"""Appointments: the appointments pages and endpoints, included by api/urls.py."""

urlpatterns: list = []
