"""Statements: the movement statement downloads, included by api/urls.py."""

urlpatterns: list = []
