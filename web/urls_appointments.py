"""Appointments: the appointments pages and endpoints, included by web/urls.py."""

urlpatterns: list = []
